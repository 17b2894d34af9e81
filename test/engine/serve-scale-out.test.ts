/**
 * Scale-out behind the local endpoint, with real child processes and the real SDK: concurrent
 * requests to one function each get an execution environment of their own (own cold start, own
 * module state), a later request reuses the most recently used idle one warm, and a request
 * beyond the function's environments is throttled with Lambda's 429.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { LambdaEndpoint } from '../../src/core/endpoint/server';
import { initDurationOf as initOf, localEndpoint, servedKey } from './endpoint-helpers';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = join(__dirname, '..', 'fixtures', 'remote', 'scale-out');
const code = { taskRoot: root, file: join(root, 'handler.js'), handlerExport: 'handler' };

interface Answer {
  invocations: number;
  seen: string[];
  pid: number;
}

const answer = (result: InvokeCommandOutput): Answer => JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8')) as Answer;

describe('serve: concurrent invocations scale out to environments of their own', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let lambda: LambdaClient;

  before(async () => {
    ({ endpoint, lambda } = await localEndpoint([
      { name: 'scaled', code, runtime: 'nodejs22.x' },
      { name: 'two', code, runtime: 'nodejs22.x', reservedConcurrency: 2 },
    ]));
  });

  after(async () => {
    lambda.destroy();
    await endpoint.close();
  });

  const invoke = (name: string, event: Record<string, unknown>) => lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: JSON.stringify(event) }));

  it('runs two concurrent requests in two environments, each cold with its own module state; a later one reuses the last used, warm', async () => {
    const [slow, fast] = await Promise.all([invoke('scaled', { id: 'slow', sleepMs: 1500 }), invoke('scaled', { id: 'fast', sleepMs: 200 })]);
    const [a, b] = [answer(slow), answer(fast)];
    assert.deepEqual([a.invocations, b.invocations], [1, 1], 'a counter per environment, not one shared counter at 2');
    assert.deepEqual([a.seen, b.seen], [['slow'], ['fast']]);
    assert.notEqual(a.pid, b.pid, 'two processes');
    assert.ok(initOf(slow) !== null && initOf(fast) !== null, 'two cold starts, each with its Init Duration');
    const later = await invoke('scaled', { id: 'later' });
    assert.deepEqual(answer(later).seen, ['slow', 'later'], 'the environment that finished last (the slow one) takes it');
    assert.equal(answer(later).pid, a.pid);
    assert.equal(initOf(later), null, 'warm: no Init Duration');
  });

  it('throttles a request beyond the function\'s environments (reserved concurrency 2) with 429 TooManyRequestsException', async () => {
    const busy = [invoke('two', { id: 'one', sleepMs: 1500 }), invoke('two', { id: 'two', sleepMs: 1500 })];
    await new Promise((resolve) => setTimeout(resolve, 500));
    await assert.rejects(invoke('two', { id: 'three' }), (error: Error & { $metadata?: { httpStatusCode?: number }; Reason?: string }) => {
      assert.equal(error.name, 'TooManyRequestsException');
      assert.match(error.message, /Rate Exceeded/);
      assert.equal(error.$metadata?.httpStatusCode, 429);
      assert.equal(error.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      return true;
    });
    const answers = (await Promise.all(busy)).map(answer);
    assert.deepEqual(answers.map((x) => x.invocations), [1, 1], 'both ran, each in its own environment');
  });
});

describe('warm-state serve: --max-environments and the template\'s reserved concurrency', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-serve-scale-'));
    writeFileSync(
      join(dir, 'template.yaml'),
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Limited:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: handler.handler',
        '      Runtime: nodejs20.x',
        '      ReservedConcurrentExecutions: 2',
        '  WithOptions:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: handler.handler',
        '      Runtime: nodejs20.x',
        '      Environment:',
        '        Variables:',
        '          NODE_OPTIONS: --enable-source-maps',
        '  ManagedWithOptions:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: handler.handler',
        '      Runtime: nodejs22.x',
        '      Environment:',
        '        Variables:',
        '          node_options: --enable-source-maps',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'handler.js'), `exports.handler = ${String(async (event: { sleepMs: number }) => {
      await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
      return 'done';
    })};\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `warm-state serve ARGS` in `dir` (the built CLI), once its banner is out; stop() ends it. */
  async function startServe(args: string[]): Promise<{ url: string; stdout: string; stderr: string; stop: () => Promise<void> }> {
    const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}${stderr}`)), 30000);
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`)));
        child.stdout.on('data', () => {
          const match = /Local Lambda endpoint on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C stops/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      return { url, stdout, stderr, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }

  it('serves a function with the smaller of the two: two concurrent requests run, a third gets 429', async () => {
    const { url, stdout, stop } = await startServe(['--resource', 'Limited', '--max-environments', '5']);
    try {
      assert.match(stdout, /Limited {2}-> .*handler\.js \(export handler\) as nodejs20\.x .*, up to 2 environments \(reserved concurrency\)/);
      const client = new LambdaClient({ region: 'us-east-1', endpoint: url, credentials: servedKey(stdout), maxAttempts: 1 });
      try {
        const call = () => client.send(new InvokeCommand({ FunctionName: 'Limited', Payload: JSON.stringify({ sleepMs: 1500 }) }));
        const busy = [call(), call()];
        await new Promise((resolve) => setTimeout(resolve, 500));
        await assert.rejects(call(), (error: Error) => error.name === 'TooManyRequestsException');
        assert.deepEqual((await Promise.all(busy)).map((result) => [result.StatusCode, result.FunctionError]), [[200, undefined], [200, undefined]]);
      } finally {
        client.destroy();
      }
    } finally {
      await stop();
    }
  });

  it('warns at start about an export the file does not seem to have, and serves it all the same', async () => {
    const missing = await startServe(['handler.js', '--handler', 'nope']);
    await missing.stop();
    assert.match(missing.stderr, /^warm-state serve: handler: warning: handler\.js has no exported function "nope" \(it exports handler\); unless it is made at run time, Lambda fails with Runtime\.HandlerNotFound\.\n$/);
    assert.match(missing.stdout, /handler {2}-> .*handler\.js \(export nope\)/);
    const present = await startServe(['--function', 'named=handler.js:handler']);
    await present.stop();
    assert.equal(present.stderr, '', 'no warning for an export the file has');
  });

  it('says in its banner that a function with NODE_OPTIONS has one environment (it runs through the Runtime API)', async () => {
    const { stdout, stop } = await startServe(['--resource', 'WithOptions']);
    await stop();
    assert.match(stdout, /WithOptions {2}-> .*, one environment \(its NODE_OPTIONS runs it through the Lambda Runtime API, one request at a time\)/);
    // In Managed Instances mode too, and whatever the variable's case.
    const managed = await startServe(['--resource', 'ManagedWithOptions', '--concurrency', '3']);
    await managed.stop();
    assert.match(managed.stdout, /ManagedWithOptions {2}-> .*, one environment \(its node_options runs it through the Lambda Runtime API, one request at a time\)/);
  });
});
