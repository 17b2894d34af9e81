/**
 * `warm-state invoke --function` as a user runs it: the CLI in its own process (from the
 * sources through tsx), the real SDK inside it, the local endpoint in this process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { localEndpointKeyFile } from '../../src/core/deployed/local-endpoint-key';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import { servedKey } from './endpoint-helpers';

const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const demo = join(root, 'examples', 'freeze-demo');
const counter = { taskRoot: join(fixtures, 'counter'), file: join(fixtures, 'counter', 'handler.js'), handlerExport: 'handler' };
const SECRET = 'cli-secret-0123456789';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** `env` with `changes` applied: a key set to undefined is removed. */
function withChanges(env: Record<string, string>, changes: Record<string, string | undefined>): Record<string, string> {
  const result = { ...env };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete result[key];
    else result[key] = value;
  }
  return result;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('remote CLI: warm-state invoke --function', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let home: string;

  const cli = (args: string[], envChanges: Record<string, string | undefined> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
        cwd: root, // where `--import tsx` resolves
        env: withChanges({
          PATH: process.env.PATH ?? '',
          HOME: home,
          WARM_STATE_HOME: join(home, '.warm-state'),
          AWS_ACCESS_KEY_ID: 'AKIAWARMSTATECLI0001',
          AWS_SECRET_ACCESS_KEY: SECRET,
          AWS_REGION: 'eu-central-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          NO_COLOR: '1',
        }, envChanges),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'warm-state-cli-home-'));
    endpoint = await startLambdaEndpoint({
      port: 0,
      // Its run's key goes where the CLI (WARM_STATE_HOME below) looks for it; the CLI's own
      // AWS_ACCESS_KEY_ID would be refused.
      keyFile: (port) => localEndpointKeyFile(port, { WARM_STATE_HOME: join(home, '.warm-state') }),
      backendFactory: createBackendFactory(),
      functions: [
        { name: 'freeze-demo', handler: 'handler.test', code: { taskRoot: demo, file: join(demo, 'handler.js'), handlerExport: 'test' } },
        { name: 'counter', code: counter, environment: { DB_PASSWORD: 'db-password-value-42' } },
        { name: 'closed', code: counter, reservedConcurrency: 0 },
      ],
    });
  });

  after(async () => {
    await endpoint.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints one JSON record per invocation with the snapshot contract', async () => {
    const run = await cli(['invoke', '--function', 'freeze-demo', '--endpoint-url', endpoint.url, '--times', '3', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(records.length, 3);
    assert.deepEqual(records.map((r) => r.invocation), [1, 2, 3]);
    assert.deepEqual(records.map((r) => r.cold), [true, false, false]);
    for (const record of records) {
      assert.equal(record.source, 'deployed');
      for (const field of ['cold', 'initDurationMs', 'maxMemoryUsedMB', 'durationMs', 'response', 'error', 'logs', 'moduleScope', 'handlerScope']) {
        assert.ok(field in record, `missing ${field}`);
      }
      assert.equal(record.response, null);
      assert.equal(record.error, null);
      assert.equal(record.deployed.region, 'eu-central-1');
    }
    assert.ok(records[0].initDurationMs > 0);
    assert.equal(records[2].initDurationMs, null);
    assert.match(records[2].logs, /Array B: \[ 'B', 'B', 'B' \]/);
  });

  it('needs no region for a local endpoint (it plays every region): what serve suggests works as printed', async () => {
    const run = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--json'], { AWS_REGION: undefined });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).deployed.region, 'us-east-1');
    // Elsewhere a region is still required (the SDK cannot pick an AWS endpoint without one).
    const remote = await cli(['invoke', '--function', 'counter', '--endpoint-url', 'http://192.0.2.1:9'], { AWS_REGION: undefined });
    assert.equal(remote.code, 1);
    assert.match(remote.stderr, /No AWS region is set/);
  });

  it('says nothing listens at a local endpoint URL rather than ask for credentials or a region it would not need', async () => {
    const stopped = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const noCredentials = { AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: 'warm-state-no-such-profile' };
    for (const [env, extra] of [[noCredentials, []], [{ AWS_REGION: undefined }, []], [noCredentials, ['--attach-probe']], [{ AWS_REGION: undefined }, ['--attach-probe']]] as const) {
      const run = await cli(['invoke', '--function', 'counter', '--endpoint-url', `http://127.0.0.1:${stopped}`, ...extra], env);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, new RegExp(`Could not reach http://127\\.0\\.0\\.1:${stopped} \\(ECONNREFUSED\\)`));
      assert.match(run.stderr, /Check that the endpoint is running \(e\.g\. warm-state serve\)/);
      assert.doesNotMatch(run.stderr, /credentials|region/i);
    }
  });

  it('reads the event from a file and never prints secrets', async () => {
    const eventFile = join(home, 'event.json');
    writeFileSync(eventFile, JSON.stringify({ leak: true }));
    const human = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--event', eventFile]);
    const json = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--event', eventFile, '--json']);
    for (const run of [human, json]) {
      assert.equal(run.code, 0, run.stderr);
      const all = run.stdout + run.stderr;
      assert.ok(!all.includes('db-password-value-42'), all);
      assert.ok(!all.includes(SECRET));
      assert.ok(!all.includes('AKIAWARMSTATECLI0001'));
    }
    assert.deepEqual(JSON.parse(json.stdout).response, { dbPassword: '****', note: 'pw=****' });
    assert.match(human.stdout, /connecting with password \*\*\*\*/);
    assert.match(human.stdout, /deployed · version \$LATEST · billed \d+ ms · memory \d+ of 128 MB used/);
  });

  it('shows throttling retries as they happen, then a message with a next step', async () => {
    const run = await cli(['invoke', '--function', 'closed', '--endpoint-url', endpoint.url]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Invoke attempt 1 of 4 failed \(TooManyRequestsException, HTTP 429\); retrying with backoff/);
    assert.match(run.stderr, /Invoke attempt 4 of 4 failed \(TooManyRequestsException, HTTP 429\); no attempts left/);
    assert.match(run.stderr, /Lambda throttled the call \(ReservedFunctionConcurrentInvocationLimitExceeded\) and it was still throttled after 4 attempts/);
    assert.match(run.stderr, /Next step: /);
  });

  it('reports a missing function with a next step and exit code 1', async () => {
    const run = await cli(['invoke', '--function', 'nope', '--endpoint-url', endpoint.url]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Function nope was not found at http:\/\/127\.0\.0\.1:\d+\.\nNext step: Check the name, qualifier and region \(aws lambda list-functions --region eu-central-1/);
    assert.ok(!run.stderr.includes('retrying'), 'a 404 is not retried');
  });

  it('shows the attach plan without --yes and changes nothing', async () => {
    const before = JSON.stringify(endpoint.state.findFunction('counter')!.fn.configuration);
    const run = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--attach-probe']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Attach the Warm State probe to arn:aws:lambda:.*:function:counter \(nodejs20\.x, eu-central-1\)/);
    assert.match(run.stdout, /AWS_LAMBDA_EXEC_WRAPPER=\/opt\/warm-state\/wrapper; the 1 existing variable\(s\) stay/);
    assert.match(run.stdout, /Run again with --yes to apply/);
    assert.equal(JSON.stringify(endpoint.state.findFunction('counter')!.fn.configuration), before);
    const detach = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--detach-probe']);
    assert.equal(detach.code, 1);
    assert.match(detach.stderr, /not attached to counter/);
  });

  it('serves a template function with its settings until Ctrl+C, which stops it cleanly (warm-state serve)', async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--template', join(fixtures, 'sam-app', 'template.yaml'), '--resource', 'OrdersFunction'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let keyFile = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 20000);
        child.stdout.on('data', () => {
          const match = /Local Lambda endpoint on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C stops/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const key = servedKey(stdout);
      keyFile = key.file;
      if (process.platform !== 'win32') assert.equal(key.mode, 0o600, 'the key file is readable by its user only');
      const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: key });
      const bodies = [];
      for (let i = 0; i < 2; i++) {
        const result = await lambda.send(new InvokeCommand({ FunctionName: 'orders-api', Payload: JSON.stringify({ id: i }) }));
        bodies.push(JSON.parse(Buffer.from(result.Payload ?? []).toString()));
      }
      lambda.destroy();
      assert.deepEqual(bodies, [
        { table: 'orders', orders: 1, memory: '256' },
        { table: 'orders', orders: 2, memory: '256' },
      ]);
      assert.match(stdout, /orders-api {2}-> {2}.*src\/app\.js \(export handler\)/);
    } finally {
      // What Ctrl+C sends: serve stops its endpoint (the CLI's own Ctrl+C exit must not cut that short).
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.match(stdout, /Stopped\./);
    assert.ok(keyFile && !existsSync(keyFile), 'the run key file is removed when serve stops');
    // The terminal shows each request and, under it, what the function wrote (not Lambda's START, END and REPORT).
    assert.match(stderr, /POST \/2015-03-31\/functions\/orders-api\/invocations -> 200 \(\d+ ms\)\n {2}orders-api \| \S+Z\t[0-9a-f-]{36}\tINFO\tstored order 0\n/);
    assert.match(stderr, / {2}orders-api \| \S+Z\t[0-9a-f-]{36}\tINFO\tstored order 1\n/);
    assert.doesNotMatch(stderr, /(START|END|REPORT) RequestId/);
  });

  it('refuses bad usage with exit code 2 and the usage text', async () => {
    const run = await cli(['invoke', '--function', 'counter', '--times', 'many']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--times must be a whole number/);
    assert.match(run.stderr, /Usage:/);
    const badEvent = join(home, 'bad.json');
    writeFileSync(badEvent, '{ nope');
    const event = await cli(['invoke', '--function', 'counter', '--endpoint-url', endpoint.url, '--event', badEvent]);
    assert.equal(event.code, 2);
  });
});
