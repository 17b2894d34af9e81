/**
 * How each runtime profile calls the handler, with real child processes: the 3.x client
 * (nodejs20.x) and the 4.x client (nodejs24.x) differ on callback handlers, sync return values,
 * the context, a never-settled promise, uncaught errors and non-Error rejections; both define
 * the `awslambda` global and run streaming handlers. docs/runtime-profiles.md cites the client
 * source of each rule; the differential suite (npm run test:oracle) checks them against the
 * real clients.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawInvocation, RuntimeProfileName } from '../../src/core/model/snapshot';
import { EnvironmentPool, EXAMPLES, variable } from './environment-helpers';

const HANDLERS = `'use strict';
let count = 0;
exports.callback = (event, context, callback) => callback(null, { count: ++count });
exports.asyncWithCallback = async (event, context, callback) => ({ count: ++count });
exports.callbackThenReturn = async (event, context, callback) => { callback(null, 'from the callback'); return 'from the return'; };
exports.syncReturn = (event) => ({ count: ++count });
exports.succeed = (event, context) => { context.succeed({ count: ++count }); };
exports.contextKeys = async (event, context) => Object.keys(context).sort();
exports.neverSettles = () => { count++; return new Promise(() => {}); };
exports.uncaught = async () => {
  setTimeout(() => { throw new Error('from a timer'); }, 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return 'finished';
};
exports.rejectsObject = async () => { throw { code: 1 }; };
exports.rejectsUndefined = () => Promise.reject(undefined);
exports.awslambdaKeys = async () => typeof awslambda === 'object' ? Object.keys(awslambda).sort() : typeof awslambda;
`;

// A beforeExit listener of the user's runs after the client's (3.x): its immediate comes first.
const BEFORE_EXIT = `'use strict';
process.on('beforeExit', () => { setImmediate(() => console.log('from setImmediate')); });
exports.waitsForEmptyLoop = (event, context, callback) => callback(null, 'done');
`;

const STREAMING = `let count = 0;
export const body = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('count=');
  stream.write(String(++count));
  stream.end();
});
export const prelude = awslambda.streamifyResponse(async (event, stream) => {
  const http = awslambda.HttpResponseStream.from(stream, { statusCode: 201 });
  http.write('body');
  http.end();
});
export const failsMidStream = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('partial');
  throw new Error('stream failure');
});
export const notAsync = awslambda.streamifyResponse((event, stream) => { stream.write('never ended'); });
export const notAsyncEnded = awslambda.streamifyResponse((event, stream) => { stream.end('sync'); });
export const neverEnds = awslambda.streamifyResponse(async (event, stream) => { stream.write('unfinished'); });
`;

// Counts calls of Promise.prototype.then: the runtime asks the handler's promise for `then`
// (as Lambda's does), and nothing else.
const HOSTILE_STREAMING = `let calls = 0;
const then = Promise.prototype.then;
Promise.prototype.then = function (...args) { calls++; return then.apply(this, args); };
export const handler = awslambda.streamifyResponse(async (event, stream) => { stream.end(String(calls)); });
`;

describe('engine: invocation per runtime profile (3.x and 4.x runtime clients)', function () {
  this.timeout(60_000);
  const pool = new EnvironmentPool();
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-invocation-'));
    writeFileSync(join(dir, 'handlers.js'), HANDLERS);
    writeFileSync(join(dir, 'streaming.mjs'), STREAMING);
    writeFileSync(join(dir, 'before-exit.js'), BEFORE_EXIT);
    writeFileSync(join(dir, 'hostile-streaming.mjs'), HOSTILE_STREAMING);
  });

  after(async () => {
    await pool.disposeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (handlerExport: string, runtime: RuntimeProfileName, options: { file?: string; timeoutSeconds?: number } = {}) =>
    pool.create({ file: join(dir, options.file ?? 'handlers.js'), handlerExport, runtime, timeoutSeconds: options.timeoutSeconds });
  const errorOf = (record: RawInvocation): { type: string | undefined; message: string | undefined } => ({ type: record.error?.errorType, message: record.error?.errorMessage });

  describe('callback handlers', () => {
    for (const handlerExport of ['callback', 'asyncWithCallback']) {
      it(`nodejs24.x fails the init of ${handlerExport} (3 parameters) with Runtime.CallbackHandlerDeprecated`, async () => {
        const record = await run(handlerExport, 'nodejs24.x').invoke({});
        assert.equal(record.reset, 'init-error');
        assert.equal(record.error?.errorType, 'Runtime.CallbackHandlerDeprecated');
        assert.match(record.error?.errorMessage ?? '', /^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\. You need to modify this function to use a supported handler signature/);
      });
    }

    it('nodejs20.x: the first of callback and returned promise wins, even while its result waits for the empty loop', async () => {
      const record = await run('callbackThenReturn', 'nodejs20.x').invoke({});
      assert.equal(record.response, 'from the callback');
    });

    it('nodejs20.x runs the same callback handler', async () => {
      const record = await run('callback', 'nodejs20.x').invoke({});
      assert.equal(record.error, null);
      assert.deepEqual(record.response, { count: 1 });
    });
  });

  describe('the freeze demo', () => {
    it('nodejs24.x refuses the callback version (handler.js)', async () => {
      const record = await pool.create({ file: join(EXAMPLES, 'freeze-demo', 'handler.js'), handlerExport: 'test', runtime: 'nodejs24.x' }).invoke({});
      assert.equal(record.error?.errorType, 'Runtime.CallbackHandlerDeprecated');
    });

    it('nodejs24.x runs the async version (async-handler.js): arrayB grows', async () => {
      const env = pool.create({ file: join(EXAMPLES, 'freeze-demo', 'async-handler.js'), handlerExport: 'test', runtime: 'nodejs24.x' });
      const lengths: number[] = [];
      for (let i = 0; i < 3; i++) {
        const record = await env.invoke({});
        assert.equal(record.error, null, JSON.stringify(record.error));
        const arrayB = variable(record.moduleScope, 'arrayB').value;
        lengths.push(arrayB.type === 'array' ? arrayB.length : -1);
      }
      assert.deepEqual(lengths, [1, 2, 3]);
    });
  });

  describe('what a handler returns', () => {
    it("nodejs24.x: a synchronous handler's return value is the response", async () => {
      const env = run('syncReturn', 'nodejs24.x');
      assert.deepEqual((await env.invoke({})).response, { count: 1 });
      assert.deepEqual((await env.invoke({})).response, { count: 2 });
    });

    it('nodejs20.x: a synchronous return value is ignored, the empty event loop answers null', async () => {
      const record = await run('syncReturn', 'nodejs20.x').invoke({});
      assert.equal(record.error, null);
      assert.equal(record.response, null);
    });

    it('nodejs24.x: context.succeed does not exist', async () => {
      const record = await run('succeed', 'nodejs24.x').invoke({});
      assert.deepEqual(errorOf(record), { type: 'TypeError', message: 'context.succeed is not a function' });
      assert.equal(record.reset, null);
    });

    it("each client's context keys (tenantId on both, xRayTraceId and no callback members on 4.x)", async () => {
      const keys3 = (await run('contextKeys', 'nodejs20.x').invoke({})).response as string[];
      const keys4 = (await run('contextKeys', 'nodejs24.x').invoke({})).response as string[];
      assert.ok(keys3.includes('tenantId') && keys3.includes('succeed') && keys3.includes('callbackWaitsForEmptyEventLoop'), keys3.join());
      assert.ok(!keys3.includes('xRayTraceId'), keys3.join());
      assert.deepEqual(keys4, ['awsRequestId', 'clientContext', 'functionName', 'functionVersion', 'getRemainingTimeInMillis', 'identity', 'invokedFunctionArn', 'logGroupName', 'logStreamName', 'memoryLimitInMB', 'tenantId', 'xRayTraceId']);
    });
  });

  describe('when the runtime process ends', () => {
    it('nodejs24.x: a promise that never settles with an empty event loop ends the runtime without a reason', async () => {
      const env = run('neverSettles', 'nodejs24.x');
      const first = await env.invoke({});
      assert.equal(first.error?.errorType, 'Runtime.ExitError');
      assert.equal(first.error?.errorMessage, `RequestId: ${first.requestId} Error: Runtime exited without providing a reason`);
      assert.equal(first.reset, 'process-exit');
      assert.equal((await env.invoke({})).cold, true);
    });

    it('nodejs20.x: the same promise gives null and the environment stays warm', async () => {
      const env = run('neverSettles', 'nodejs20.x');
      assert.equal((await env.invoke({})).response, null);
      const second = await env.invoke({});
      assert.equal(second.cold, false);
      assert.equal(second.response, null);
    });

    it('nodejs24.x: an uncaught exception during the invocation ends the runtime with exit status 1', async () => {
      const record = await run('uncaught', 'nodejs24.x').invoke({});
      assert.deepEqual(errorOf(record), { type: 'Runtime.ExitError', message: `RequestId: ${record.requestId} Error: Runtime exited with error: exit status 1` });
      assert.equal(record.reset, 'process-exit');
    });

    it('nodejs20.x: the client reports the uncaught exception as the invocation error', async () => {
      const record = await run('uncaught', 'nodejs20.x').invoke({});
      assert.deepEqual(errorOf(record), { type: 'Error', message: 'from a timer' });
    });
  });

  describe('non-Error rejections', () => {
    for (const runtime of ['nodejs20.x', 'nodejs24.x'] as const) {
      it(`${runtime}: an object gives its string form`, async () => {
        assert.deepEqual(errorOf(await run('rejectsObject', runtime).invoke({})), { type: 'object', message: '[object Object]' });
      });
    }

    it("nodejs20.x: undefined is context.fail()'s 'handled'", async () => {
      assert.deepEqual(errorOf(await run('rejectsUndefined', 'nodejs20.x').invoke({})), { type: 'string', message: 'handled' });
    });

    it('nodejs24.x: undefined is described as such', async () => {
      assert.deepEqual(errorOf(await run('rejectsUndefined', 'nodejs24.x').invoke({})), { type: 'undefined', message: 'undefined' });
    });
  });

  it('nodejs20.x: an immediate queued by a beforeExit listener logs within the invocation (callback waiting for the empty loop)', async () => {
    const env = run('waitsForEmptyLoop', 'nodejs20.x', { file: 'before-exit.js' });
    const record = await env.invoke({});
    assert.equal(record.response, 'done');
    assert.match(record.logs, /INFO\tfrom setImmediate\n/);
  });

  describe('the awslambda global and streaming handlers', () => {
    it("defines awslambda as each client does (4.x adds InvokeStore)", async () => {
      assert.deepEqual((await run('awslambdaKeys', 'nodejs20.x').invoke({})).response, ['HttpResponseStream', 'streamifyResponse']);
      assert.deepEqual((await run('awslambdaKeys', 'nodejs24.x').invoke({})).response, ['HttpResponseStream', 'InvokeStore', 'streamifyResponse']);
    });

    for (const runtime of ['nodejs20.x', 'nodejs24.x'] as const) {
      it(`${runtime}: the streamed body is the response, module state kept`, async () => {
        const env = run('body', runtime, { file: 'streaming.mjs' });
        assert.equal((await env.invoke({})).response, 'count=1');
        assert.equal((await env.invoke({})).response, 'count=2');
      });
    }

    it('HttpResponseStream.from puts the JSON prelude and 8 NUL bytes before the body', async () => {
      const record = await run('prelude', 'nodejs24.x', { file: 'streaming.mjs' }).invoke({});
      assert.equal(record.response, `{"statusCode":201}${'\u0000'.repeat(8)}body`);
    });

    it('a failure before the stream ends is the invocation error', async () => {
      assert.deepEqual(errorOf(await run('failsMidStream', 'nodejs20.x', { file: 'streaming.mjs' }).invoke({})), { type: 'Error', message: 'stream failure' });
    });

    it('a handler that does not return a promise fails (3.x: as a string, 4.x: as an Error)', async () => {
      const message = 'Streaming does not support non-async handlers.';
      assert.deepEqual(errorOf(await run('notAsync', 'nodejs20.x', { file: 'streaming.mjs' }).invoke({})), { type: 'string', message });
      assert.deepEqual(errorOf(await run('notAsync', 'nodejs24.x', { file: 'streaming.mjs' }).invoke({})), { type: 'Error', message });
    });

    it('a handler that does not return a promise but ended its stream answers with what it wrote', async () => {
      const env = run('notAsyncEnded', 'nodejs24.x', { file: 'streaming.mjs' });
      assert.equal((await env.invoke({})).response, 'sync');
      assert.equal((await env.invoke({})).response, 'sync');
    });

    it("waits for the stream's end without calling a Promise.prototype.then the program replaced", async () => {
      const env = run('handler', 'nodejs24.x', { file: 'hostile-streaming.mjs' });
      assert.equal((await env.invoke({})).response, '0');
      assert.equal((await env.invoke({})).response, '1', "only the handler's promise was asked for then");
    });

    it('a stream never ended runs into the timeout', async () => {
      const record = await run('neverEnds', 'nodejs24.x', { file: 'streaming.mjs', timeoutSeconds: 1 }).invoke({});
      assert.equal(record.reset, 'timeout');
      assert.equal(record.error?.errorType, 'Sandbox.Timedout');
    });
  });
});
