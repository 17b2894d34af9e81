/**
 * `serve` in Managed Instances mode, with real child processes, worker threads and the real SDK:
 * concurrent requests up to the configured concurrency run at once in one environment (one
 * cold start; one worker shares its module scope, so AWS's example answers with another
 * request's user), and a request beyond the function's concurrency is throttled with 429.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InvokeCommand, type LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { LambdaEndpoint } from '../../src/core/endpoint/server';
import { initDurationOf as initOf, localEndpoint } from './endpoint-helpers';
import { FIXTURES } from './environment-helpers';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = join(FIXTURES, 'managed-engine');
const code = { taskRoot: root, file: join(root, 'aws-example.mjs'), handlerExport: 'handler' };
const userOf = (result: InvokeCommandOutput): string => (JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as { user: string }).user;

describe('serve: Managed Instances take concurrent requests in one environment', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let lambda: LambdaClient;

  before(async () => {
    ({ endpoint, lambda } = await localEndpoint([{ name: 'shared', code, runtime: 'nodejs22.x', reservedConcurrency: 3, managedInstances: { concurrency: 3, workers: 1 } }]));
  });

  after(async () => {
    lambda.destroy();
    await endpoint.close();
  });

  const invoke = (user: string) => lambda.send(new InvokeCommand({ FunctionName: 'shared', LogType: 'Tail', Payload: JSON.stringify({ user }) }));

  it('answers three concurrent requests from one worker: one cold start, and responses show another request’s user', async () => {
    const results = await Promise.all(['alice', 'bob', 'carol'].map(invoke));
    assert.ok(results.every((result) => result.FunctionError === undefined));
    const users = results.map(userOf);
    assert.equal(new Set(users).size, 1, `one worker, one module scope: every request read the last write (${users.join(', ')})`);
    assert.equal(results.filter((result) => initOf(result) !== null).length, 1, 'one environment, one worker: one cold start');
  });

  it('throttles a fourth concurrent request (concurrency 3) with 429', async () => {
    const settled = await Promise.allSettled(['a', 'b', 'c', 'd'].map(invoke));
    const throttled = settled.filter((outcome) => outcome.status === 'rejected');
    assert.equal(throttled.length, 1);
    const reason = (throttled[0] as PromiseRejectedResult).reason as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(reason.name, 'TooManyRequestsException');
    assert.equal(reason.$metadata?.httpStatusCode, 429);
  });
});
