/**
 * The local endpoint against a local network peer (issue 14, defect 6): another user of the
 * machine can reach 127.0.0.1, so the endpoint must not let them run code as the user who
 * started it, buffer what they send, or stall on the archives they upload. Real HTTP, the real
 * SDK, real child processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import { writeZip } from '../../src/core/lambda/zip';
import { zipBomb } from './endpoint-helpers';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const counter = { taskRoot: join(fixtures, 'counter'), file: join(fixtures, 'counter', 'handler.js'), handlerExport: 'handler' };
const MB = 1024 * 1024;

function sdk(endpoint: LambdaEndpoint, credentials = { accessKeyId: 'AKIDANYONEELSE', secretAccessKey: 'any-secret' }): LambdaClient {
  return new LambdaClient({ region: 'us-east-1', endpoint: endpoint.url, credentials, maxAttempts: 1 });
}

async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** A script that leaves a mark when some process loads it (`NODE_OPTIONS=--require <it>`). */
function marker(dir: string): { script: string; ran: () => boolean } {
  const script = join(dir, `mark-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(`${script}.ran`)}, 'ran');\n`);
  return { script, ran: () => existsSync(`${script}.ran`) };
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('endpoint security: only the run key may change what runs', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warm-state-endpoint-security-'));
    endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory(),
      functions: [
        { name: 'target', code: counter },
        { name: 'mine', code: counter },
      ],
    });
  });

  after(async () => {
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a NODE_OPTIONS change from any other key or unsigned, and the next invoke runs nothing of it', async () => {
    const evil = marker(dir);
    const other = sdk(endpoint);
    try {
      await rejectsWith(
        other.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Environment: { Variables: { NODE_OPTIONS: `--require ${evil.script}` } } })),
        'UnrecognizedClientException',
        /accepts only the key pair of its run/,
      );
      await rejectsWith(other.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' })), 'UnrecognizedClientException');
    } finally {
      other.destroy();
    }
    const unsigned = await fetch(`${endpoint.url}/2015-03-31/functions/target/configuration`, {
      method: 'PUT',
      body: JSON.stringify({ Environment: { Variables: { NODE_OPTIONS: `--require ${evil.script}` } } }),
    });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    const mine = sdk(endpoint, endpoint.credentials);
    try {
      assert.equal((await mine.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' }))).FunctionError, undefined);
      const configuration = await mine.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }));
      assert.equal(configuration.Environment, undefined);
    } finally {
      mine.destroy();
    }
    assert.equal(evil.ran(), false, 'the script named by the refused NODE_OPTIONS never ran');
  });

  it('lets the run key change configuration, NODE_OPTIONS included', async () => {
    const own = marker(dir);
    const mine = sdk(endpoint, endpoint.credentials);
    try {
      await mine.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'mine', Environment: { Variables: { NODE_OPTIONS: `--require ${own.script}` } } }));
      const result = await mine.send(new InvokeCommand({ FunctionName: 'mine', Payload: '{}' }));
      assert.equal(result.FunctionError, undefined, text(result.Payload));
    } finally {
      mine.destroy();
    }
    assert.equal(own.ran(), true, 'the verified caller\'s NODE_OPTIONS took effect');
  });
});

describe('endpoint security: --allow-any-credentials lets any key in, never to run code', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let dir: string;
  let other: LambdaClient;
  let mine: LambdaClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warm-state-endpoint-any-'));
    endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory(),
      functions: [{ name: 'target', code: counter }],
      access: { allowAnyCredentials: true },
    });
    other = sdk(endpoint);
    mine = sdk(endpoint, endpoint.credentials);
  });

  after(async () => {
    other.destroy();
    mine.destroy();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets any key invoke, read and change settings that run no code', async () => {
    assert.equal(JSON.parse(text((await other.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' }))).Payload)).invocations, 1);
    const updated = await other.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Description: 'changed', Timeout: 5, Environment: { Variables: { GREETING: 'hi', NODE_ENV: 'test' } } }),
    );
    assert.equal(updated.Description, 'changed');
    assert.equal(JSON.parse(text((await other.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' }))).Payload)).greeting, 'hi');
  });

  it('refuses NODE_OPTIONS, AWS_LAMBDA_EXEC_WRAPPER, other code-loading variables, layers, handler and runtime to any other key', async () => {
    const evil = marker(dir);
    const current = (await other.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }))).Environment?.Variables ?? {};
    for (const [name, value] of [
      ['NODE_OPTIONS', `--require ${evil.script}`],
      ['AWS_LAMBDA_EXEC_WRAPPER', evil.script],
      ['LD_PRELOAD', join(dir, 'evil.so')],
      ['NODE_PATH', dir],
      // Windows reads variable names without regard to case: so does the check, everywhere.
      ['node_options', `--require ${evil.script}`],
      ['Aws_Lambda_Exec_Wrapper', evil.script],
    ]) {
      await rejectsWith(
        other.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Environment: { Variables: { ...current, [name]: value } } })),
        'AccessDeniedException',
        new RegExp(`this change can run code \\(${name}\\)`),
      );
    }
    await rejectsWith(other.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Handler: 'other.handler' })), 'AccessDeniedException', /\(Handler\)/);
    await rejectsWith(other.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Runtime: 'provided.al2023' })), 'AccessDeniedException', /\(Runtime\)/);
    const zip = writeZip([{ path: 'nodejs/node_modules/x/index.js', data: Buffer.from('module.exports = 1;') }]);
    await rejectsWith(other.send(new PublishLayerVersionCommand({ LayerName: 'tools', Content: { ZipFile: zip } })), 'AccessDeniedException', /\(a layer\)/);
    const layer = await mine.send(new PublishLayerVersionCommand({ LayerName: 'tools', Content: { ZipFile: zip } }));
    await rejectsWith(
      other.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Layers: [layer.LayerVersionArn ?? ''] })),
      'AccessDeniedException',
      /\(layers\)/,
    );
    await other.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' }));
    assert.equal(evil.ran(), false);
    const after = await other.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }));
    assert.deepEqual(after.Environment?.Variables, current, 'nothing of the refused changes was applied');
    assert.equal(after.Layers, undefined);
  });

  it('refuses a layer upload from any other key before reading it', async () => {
    const total = 60 * MB;
    const authorization = `AWS4-HMAC-SHA256 Credential=AKIDANYONEELSE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
    const head = `POST /2018-10-31/layers/big/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Length: ${total}\r\n\r\n`;
    const pushed = await pushBody(endpoint.port, head, total);
    assert.equal(pushed.status, 403);
    assert.ok(pushed.sentAtAnswer < total / 4, `answered after ${pushed.sentAtAnswer} of ${total} bytes`);
  });

  it('still lets the run key make those changes', async () => {
    const own = marker(dir);
    await mine.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Environment: { Variables: { NODE_OPTIONS: `--require ${own.script}` } } }));
    await mine.send(new InvokeCommand({ FunctionName: 'target', Payload: '{}' }));
    assert.equal(own.ran(), true);
  });
});

interface Pushed {
  status: number;
  /** Body bytes written when the answer's status line arrived. */
  sentAtAnswer: number;
  /** Body bytes written when the server closed the connection; null when it kept it open to the end. */
  sentAtClose: number | null;
}

/**
 * Sends `head` and then a body of `total` zero bytes as fast as the server takes them, over a
 * raw socket, and reports how far the upload had got when the answer came and when the
 * server closed the connection.
 */
function pushBody(port: number, head: string, total: number): Promise<Pushed> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(256 * 1024);
    let sent = 0;
    let answer = '';
    let status = 0;
    let sentAtAnswer = -1;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer after ${sent} body bytes: ${answer}`));
    }, 45000);
    const finish = (sentAtClose: number | null) => {
      clearTimeout(timer);
      if (status === 0) reject(new Error(`connection closed after ${sent} bytes without an answer`));
      else resolve({ status, sentAtAnswer, sentAtClose });
    };
    const write = () => {
      while (!closed && sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
      if (sent >= total && sentAtAnswer >= 0) {
        socket.destroy();
        finish(null);
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      write();
    });
    socket.on('drain', write);
    socket.on('data', (data: Buffer) => {
      if (status !== 0) return;
      answer += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match) {
        status = Number(match[1]);
        sentAtAnswer = sent;
        if (sent >= total) {
          socket.destroy();
          finish(null);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      if (sent < total || status === 0) finish(sent);
    });
  });
}

describe('endpoint security: bodies are capped before routing and authentication', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;

  before(async () => {
    endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'target', code: counter }] });
  });

  after(() => endpoint.close());

  it('answers an unknown route before reading its body, and cuts the connection rather than buffer it', async () => {
    const total = 100 * MB;
    const pushed = await pushBody(endpoint.port, `POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${total}\r\n\r\n`, total);
    assert.equal(pushed.status, 404);
    assert.ok(pushed.sentAtAnswer < total / 4, `answered after ${pushed.sentAtAnswer} of ${total} bytes`);
    assert.ok(pushed.sentAtClose !== null && pushed.sentAtClose < total / 2, `connection cut after ${pushed.sentAtClose} bytes`);
  });

  it('refuses 12 parallel unsigned uploads to a real route without holding their bodies', async () => {
    const total = 60 * MB;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const head = `POST /2018-10-31/layers/x/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`;
      const all = await Promise.all(Array.from({ length: 12 }, () => pushBody(endpoint.port, head, total)));
      for (const pushed of all) {
        assert.equal(pushed.status, 403);
        assert.ok(pushed.sentAtAnswer < total / 4, `answered after ${pushed.sentAtAnswer} of ${total} bytes`);
        assert.ok(pushed.sentAtClose !== null, 'the rest of the upload is cut off');
      }
    } finally {
      clearInterval(sampler);
    }
    // Before the fix each upload was buffered whole before authentication: 12 x 60 MB.
    assert.ok(peak - before < 200 * MB, `the process grew by ${Math.round((peak - before) / MB)} MB`);
  });
});

describe('endpoint security: layer archives are inflated within Lambda\'s limits', function () {
  this.timeout(120000);
  let endpoint: LambdaEndpoint;
  let mine: LambdaClient;

  before(async () => {
    endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'target', code: counter }] });
    mine = sdk(endpoint, endpoint.credentials);
  });

  after(async () => {
    mine.destroy();
    await endpoint.close();
  });

  it('refuses a 1 MB archive that declares 1 GB unzipped with Lambda\'s error, without inflating it', async () => {
    await rejectsWith(
      mine.send(new PublishLayerVersionCommand({ LayerName: 'bomb', Content: { ZipFile: zipBomb(1024, 1024 * MB) } })),
      'InvalidParameterValueException',
      /^Unzipped size must be smaller than 262144000 bytes$/,
    );
  });

  it('stops a bomb that declares no size at 250 MB by counting, and serves other requests meanwhile', async () => {
    const bomb = zipBomb(1024, null);
    assert.ok(bomb.length < 2 * MB, `the bomb is ${bomb.length} bytes`);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const finished: string[] = [];
    try {
      const publish = mine.send(new PublishLayerVersionCommand({ LayerName: 'bomb', Content: { ZipFile: bomb } })).then(
        () => finished.push('publish answered'),
        (error: Error) => finished.push(`publish ${error.name}: ${error.message}`),
      );
      // Other calls while the archive inflates: each must be answered before the publish is.
      const others = (async () => {
        for (let i = 0; i < 3; i++) {
          await mine.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }));
          finished.push(`other call ${i} answered`);
        }
      })();
      await Promise.all([publish, others]);
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(finished, [
      'other call 0 answered',
      'other call 1 answered',
      'other call 2 answered',
      'publish InvalidParameterValueException: Unzipped size must be smaller than 262144000 bytes',
    ]);
    assert.ok(peak - before < 200 * MB, `the process grew by ${Math.round((peak - before) / MB)} MB while inflating`);
  });
});

describe('endpoint security: Warm State\'s own CLI finds the run key of `warm-state serve`', function () {
  this.timeout(120000);
  let home: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'warm-state-serve-key-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  /** The built CLI, as a user runs it: no AWS credentials anywhere, only the key file. */
  const cliEnv = (warmStateHome: string, extra: Record<string, string> = {}) => ({
    ...extra,
    PATH: process.env.PATH ?? '',
    HOME: home,
    WARM_STATE_HOME: warmStateHome,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  });
  const cli = (args: string[], warmStateHome: string, extra: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, env: cliEnv(warmStateHome, extra) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('invokes, attaches the probe and reads scopes through serve, and other users\' clients are refused', async () => {
    const warmStateHome = join(home, 'ws');
    const demo = join(root, 'examples', 'freeze-demo', 'handler.js');
    const serve = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'serve', '--port', '0', demo, '--handler', 'test', '--name', 'freeze-demo'], {
      cwd: root,
      env: cliEnv(warmStateHome),
    });
    let banner = '';
    serve.stdout.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    serve.stderr.resume();
    const exited = new Promise<number | null>((resolve) => serve.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${banner}`)), 30000);
        serve.stdout.on('data', () => {
          const match = /Local Lambda endpoint on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C stops/.exec(banner);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      assert.match(banner, new RegExp(`in ${join(warmStateHome, 'endpoints').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+\\.json \\(readable by you only\\)`));
      const attach = await cli(['invoke', '--function', 'freeze-demo', '--endpoint-url', url, '--attach-probe', '--yes'], warmStateHome);
      assert.equal(attach.code, 0, attach.stderr);
      assert.match(attach.stdout, new RegExp(`Invoke it to see module and handler scope: warm-state invoke --function freeze-demo --endpoint-url ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`), 'the hint invokes the same endpoint');
      const run = await cli(['invoke', '--function', 'freeze-demo', '--endpoint-url', url, '--times', '2', '--json'], warmStateHome);
      assert.equal(run.code, 0, run.stderr);
      const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { moduleScope: { name: string }[] | null });
      assert.ok(records[1].moduleScope?.some((variable) => variable.name === 'arrayB'), 'the probe, attached with the run key, captured module scope');
      // Someone without the key file, with credentials of their own.
      const stranger = await cli(['invoke', '--function', 'freeze-demo', '--endpoint-url', url], join(home, 'someone-else'), {
        AWS_ACCESS_KEY_ID: 'AKIASOMEONEELSE00001',
        AWS_SECRET_ACCESS_KEY: 'someone-elses-secret',
      });
      assert.equal(stranger.code, 1);
      assert.match(stranger.stderr, /rejected the credentials \(UnrecognizedClientException\)/);
    } finally {
      serve.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
