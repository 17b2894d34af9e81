/**
 * Deployed mode end to end: the real @aws-sdk/client-lambda (credentials from environment
 * variables or shared files, SigV4 signing, retries) against the local endpoint running the
 * fixture functions in real child processes. Every error in the matrix is produced for real,
 * by the endpoint or by the SDK itself; none is stubbed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import { createDeployedFunction, type DeployedFunctionOptions } from '../../src/core/deployed/deployed-environment';
import { DeployedError } from '../../src/core/deployed/errors';
import type { AttemptFailure } from '../../src/core/deployed/lambda-client';
import { listFunctions } from '../../src/core/deployed/list-functions';

const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const counter = { taskRoot: join(fixtures, 'counter'), file: join(fixtures, 'counter', 'handler.js'), handlerExport: 'handler' };

/** Variables the SDK's credential and region chain reads; saved and restored around the suite. */
const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'HOME',
];

async function failure(promise: Promise<unknown>): Promise<DeployedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeployedError, `expected a DeployedError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('remote deployed client: real SDK against the local endpoint', function () {
  this.timeout(40000);
  let endpoint: LambdaEndpoint;
  let home: string;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    for (const name of AWS_VARIABLES) saved.set(name, process.env[name]);
    home = mkdtempSync(join(tmpdir(), 'warm-state-aws-home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), '');
    writeFileSync(join(home, '.aws', 'credentials'), '');
    for (const name of AWS_VARIABLES) delete process.env[name];
    // Nothing from this machine's own AWS setup may leak in: a fresh HOME, no instance metadata.
    process.env.HOME = home;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    // Dummy credentials through the environment, as the SDK's default chain reads them.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAWARMSTATELOCAL01';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy-secret-for-the-local-endpoint';
    process.env.AWS_REGION = 'eu-west-1';
    endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory(),
      functions: [
        { name: 'counter', code: counter, environment: { DB_PASSWORD: 'correct-horse-battery', TABLE: 'orders' } },
        { name: 'busy', code: counter },
        { name: 'closed', code: counter, reservedConcurrency: 0 },
        { name: 'emulated', code: counter, reportLines: false },
        { name: 'plain', runtime: 'provided.al2023', handler: 'bootstrap', code: { taskRoot: join(fixtures, 'custom-runtime') } },
        { name: 'stale', runtime: 'provided.al2023', handler: 'bootstrap', code: { taskRoot: join(fixtures, 'stale-probe') } },
      ],
      access: {
        principals: {
          AKIAWARMSTATELOCAL01: { secretAccessKey: 'dummy-secret-for-the-local-endpoint' },
          ASIAEXPIREDSESSION01: { expired: true },
          AKIAREADONLYUSER0001: { allow: ['lambda:GetFunctionConfiguration', 'lambda:ListFunctions'], arn: 'arn:aws:iam::123456789012:user/read-only' },
        },
      },
    });
  });

  after(async () => {
    await endpoint.close();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  const open = (options: Partial<DeployedFunctionOptions> = {}) =>
    createDeployedFunction({ functionName: 'counter', endpointUrl: endpoint.url, ...options });

  it('maps Invoke to RawInvocation: cold then warm, REPORT figures, response, decoded logs', async () => {
    const fn = await open();
    try {
      const first = await fn.invoke({ id: 'a' });
      const second = await fn.invoke({ id: 'b' });
      assert.equal(first.source, 'deployed');
      assert.equal(first.cold, true);
      assert.ok(first.initDurationMs !== null && first.initDurationMs > 0);
      assert.equal(second.cold, false);
      assert.equal(second.initDurationMs, null);
      assert.equal(second.memorySizeMB, 128);
      assert.ok(second.maxMemoryUsedMB > 0);
      assert.ok(second.billedDurationMs >= Math.floor(second.durationMs));
      assert.equal((second.response as { invocations: number }).invocations, 2);
      assert.match(second.logs, /^START RequestId: /);
      assert.match(second.logs, /REPORT RequestId: /);
      assert.equal(second.requestId, /START RequestId: (\S+)/.exec(second.logs)?.[1]);
      assert.equal(second.runtimeVersion, 'nodejs20.x');
      assert.equal(second.generation, first.generation);
      assert.equal(second.moduleScope, null, 'no probe: no scopes');
      assert.match(second.captureError ?? '', /need the Warm State probe, which is not attached/);
      assert.deepEqual(second.deployed?.probe, 'absent');
      assert.equal(second.deployed?.executedVersion, '$LATEST');
      assert.equal(second.deployed?.region, 'eu-west-1');
      assert.equal(second.deployed?.attempts, 1);
      assert.deepEqual(second.deployed?.warnings, []);
      const summary = await fn.describe();
      assert.deepEqual(summary.environment, { DB_PASSWORD: '****', TABLE: 'orders' });
      assert.equal(summary.isNode, true);
      assert.equal(summary.probeAttached, false);
    } finally {
      fn.dispose();
    }
  });

  it('maps a FunctionError to error and keeps response null', async () => {
    const fn = await open();
    try {
      const failed = await fn.invoke({ id: 'x', fail: true });
      assert.equal(failed.response, null);
      assert.equal(failed.error?.errorType, 'TypeError');
      assert.equal(failed.error?.errorMessage, 'asked to fail on x');
      assert.equal(failed.reset, null);
    } finally {
      fn.dispose();
    }
  });

  it('masks the credentials and secret-looking variables in response and logs', async () => {
    const fn = await open();
    try {
      const leaked = await fn.invoke({ leak: true });
      const printed = JSON.stringify(leaked);
      assert.ok(!printed.includes('correct-horse-battery'), printed);
      assert.ok(!printed.includes('dummy-secret-for-the-local-endpoint'));
      assert.deepEqual(leaked.response, { dbPassword: '****', note: 'pw=****' });
      assert.match(leaked.logs, /connecting with password \*\*\*\*/);
    } finally {
      fn.dispose();
    }
  });

  it('never shows a probe snapshot recorded for another request', async () => {
    const fn = await open({ functionName: 'stale' });
    try {
      const result = await fn.invoke({});
      assert.deepEqual(result.response, { ok: true });
      assert.equal(result.moduleScope, null);
      assert.match(result.captureError ?? '', /belongs to request another-request, not to this invocation/);
    } finally {
      fn.dispose();
    }
  });

  it('lists functions across pages for a picker, and stops at a cap', async () => {
    const all = await listFunctions({ endpointUrl: endpoint.url }, { pageSize: 2 });
    assert.deepEqual(all.functions.map((f) => f.name), ['busy', 'closed', 'counter', 'emulated', 'plain', 'stale']);
    assert.equal(all.pages, 3);
    assert.equal(all.incomplete, false);
    assert.deepEqual(all.functions.map((f) => f.isNode), [true, true, true, true, false, false]);
    const capped = await listFunctions({ endpointUrl: endpoint.url }, { pageSize: 2, maxFunctions: 2 });
    assert.equal(capped.functions.length, 2);
    assert.equal(capped.incomplete, true);
  });

  describe('error matrix', () => {
    it('no credentials: the SDK chain finds none', async () => {
      const key = process.env.AWS_ACCESS_KEY_ID;
      const secret = process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      try {
        const fn = await open();
        const error = await failure(fn.invoke({}));
        fn.dispose();
        assert.equal(error.code, 'no-credentials');
        assert.match(error.nextStep, /aws configure|aws sso login/);
      } finally {
        process.env.AWS_ACCESS_KEY_ID = key;
        process.env.AWS_SECRET_ACCESS_KEY = secret;
      }
    });

    it('expired SSO session: a profile whose cached SSO token has expired', async () => {
      const startUrl = 'https://warm-state-test.awsapps.com/start';
      // A config file of its own: the SDK caches parsed shared files by path.
      process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config-sso');
      writeFileSync(
        process.env.AWS_CONFIG_FILE,
        `[profile sso-dev]\nsso_start_url = ${startUrl}\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = eu-west-1\n`,
      );
      mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
      const cacheName = `${createHash('sha1').update(startUrl).digest('hex')}.json`;
      writeFileSync(join(home, '.aws', 'sso', 'cache', cacheName), JSON.stringify({ startUrl, region: 'eu-west-1', accessToken: 'old', expiresAt: '2020-01-01T00:00:00Z' }));
      const key = process.env.AWS_ACCESS_KEY_ID;
      const secret = process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      try {
        const fn = await open({ profile: 'sso-dev' });
        const error = await failure(fn.invoke({}));
        fn.dispose();
        assert.equal(error.code, 'sso-expired', error.message);
        assert.equal(error.nextStep, 'Sign in again: aws sso login --profile sso-dev');
      } finally {
        delete process.env.AWS_CONFIG_FILE;
        process.env.AWS_ACCESS_KEY_ID = key;
        process.env.AWS_SECRET_ACCESS_KEY = secret;
      }
    });

    it('expired session token: ExpiredTokenException from the endpoint', async () => {
      process.env.AWS_ACCESS_KEY_ID = 'ASIAEXPIREDSESSION01';
      process.env.AWS_SESSION_TOKEN = 'an-old-session-token';
      try {
        const fn = await open();
        const error = await failure(fn.invoke({}));
        fn.dispose();
        assert.equal(error.code, 'expired-token');
        assert.equal(error.awsErrorName, 'ExpiredTokenException');
        assert.ok(!error.describe().includes('an-old-session-token'));
      } finally {
        process.env.AWS_ACCESS_KEY_ID = 'AKIAWARMSTATELOCAL01';
        delete process.env.AWS_SESSION_TOKEN;
      }
    });

    it('AccessDenied names the missing permission (lambda:InvokeFunction)', async () => {
      process.env.AWS_ACCESS_KEY_ID = 'AKIAREADONLYUSER0001';
      try {
        const fn = await open();
        const error = await failure(fn.invoke({}));
        fn.dispose();
        assert.equal(error.code, 'access-denied');
        assert.equal(error.missingPermission, 'lambda:InvokeFunction');
        assert.match(error.message, /lambda:InvokeFunction on arn:aws:lambda:eu-west-1:123456789012:function:counter/);
        assert.match(error.nextStep, /lambda:InvokeFunction/);
      } finally {
        process.env.AWS_ACCESS_KEY_ID = 'AKIAWARMSTATELOCAL01';
      }
    });

    it('function not found', async () => {
      const fn = await open({ functionName: 'does-not-exist' });
      const error = await failure(fn.invoke({}));
      fn.dispose();
      assert.equal(error.code, 'function-not-found');
      assert.match(error.message, /does-not-exist was not found at http:\/\/127\.0\.0\.1/);
      assert.match(error.nextStep, /list-functions --region/);
    });

    it('throttling: retried with backoff and shown, then given up', async () => {
      const seen: AttemptFailure[] = [];
      const fn = await open({ functionName: 'closed', maxAttempts: 3, onAttemptFailed: (f) => seen.push(f) });
      const error = await failure(fn.invoke({}));
      fn.dispose();
      assert.equal(error.code, 'throttled');
      assert.match(error.message, /ReservedFunctionConcurrentInvocationLimitExceeded/);
      assert.match(error.message, /after 3 attempts/);
      assert.deepEqual(seen.map((f) => [f.operation, f.attempt, f.errorName, f.httpStatus]), [
        ['Invoke', 1, 'TooManyRequestsException', 429],
        ['Invoke', 2, 'TooManyRequestsException', 429],
        ['Invoke', 3, 'TooManyRequestsException', 429],
      ]);
    });

    it('throttling: a busy function succeeds after retries, and the record says so', async () => {
      const holder = await open({ functionName: 'busy', maxAttempts: 1 });
      const fn = await open({ functionName: 'busy', maxAttempts: 8 });
      try {
        await holder.invoke({}); // warm it, so the busy period below is the handler's sleep only
        const long = holder.invoke({ sleepMs: 500 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const retried = await fn.invoke({});
        await long;
        assert.ok(retried.deployed && retried.deployed.attempts > 1, `attempts ${retried.deployed?.attempts}`);
        assert.ok(retried.deployed.retryDelayMs > 0);
        assert.match(retried.deployed.warnings.join('\n'), /Retried: \d+ failed attempt\(s\) \(TooManyRequestsException\), waited \d+ ms in backoff/);
      } finally {
        holder.dispose();
        fn.dispose();
      }
    });

    it('payload too large (over 6 MB)', async () => {
      const fn = await open({ maxAttempts: 1 });
      const error = await failure(fn.invoke({ blob: 'x'.repeat(6 * 1024 * 1024 + 10) }));
      fn.dispose();
      assert.equal(error.code, 'payload-too-large');
      assert.match(error.message, /6\.00 MB\): synchronous invocations accept at most 6 MB/);
    });

    it('a response that is not JSON is kept as text with a warning', async () => {
      const fn = await open({ functionName: 'plain' });
      try {
        const result = await fn.invoke({ a: 1 });
        assert.equal(result.response, 'plain text, not JSON (7 bytes in)');
        assert.equal(result.error, null);
        assert.match(result.deployed?.warnings.join('\n') ?? '', /The response is not JSON \(33 bytes\)/);
      } finally {
        fn.dispose();
      }
    });

    it('a log tail without a REPORT line: figures unknown, said so', async () => {
      const fn = await open({ functionName: 'emulated' });
      try {
        const result = await fn.invoke({});
        assert.equal(result.deployed?.reportFound, false);
        assert.equal(result.cold, false);
        assert.equal(result.maxMemoryUsedMB, 0);
        assert.match(result.deployed?.warnings.join('\n') ?? '', /no REPORT line/);
        assert.match(result.logs, /START RequestId/);
      } finally {
        fn.dispose();
      }
    });

    it('a non-Node.js runtime: invoke works, the record says the probe cannot run there', async () => {
      const fn = await open({ functionName: 'plain' });
      try {
        const summary = await fn.describe();
        assert.equal(summary.isNode, false);
        assert.equal(summary.runtime, 'provided.al2023');
        const result = await fn.invoke({});
        assert.equal(result.deployed?.probe, 'not-node');
        assert.match(result.captureError ?? '', /only runs on Node\.js runtimes; this function runs provided\.al2023/);
        assert.equal(result.runtimeVersion, 'provided.al2023');
      } finally {
        fn.dispose();
      }
    });

    it('no region configured', async () => {
      delete process.env.AWS_REGION;
      try {
        const fn = await open();
        const error = await failure(fn.invoke({}));
        fn.dispose();
        assert.equal(error.code, 'no-region');
        assert.match(error.nextStep, /--region/);
      } finally {
        process.env.AWS_REGION = 'eu-west-1';
      }
    });

    it('an endpoint that is not running', async () => {
      const fn = await open({ endpointUrl: 'http://127.0.0.1:9', maxAttempts: 1 });
      const error = await failure(fn.invoke({}));
      fn.dispose();
      assert.equal(error.code, 'unreachable');
      assert.match(error.nextStep, /warm-state serve/);
    });
  });
});
