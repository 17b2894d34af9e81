/**
 * The Runtime API emulator (runtime-api-backend.ts) with what the real runtime interface
 * clients do to it, played by a stand-in client (fixtures/runtime-api/fake-client.js): polls
 * held open together, the streaming response mode with its error trailers, init errors, a
 * clean exit, node flags. The real clients run against it in `npm run test:oracle`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createRuntimeApiBackend, type RuntimeApiFunctionBackend, type RuntimeApiResult } from '../../src/core/endpoint/runtime/runtime-api-backend';
import { EndpointState } from '../../src/core/endpoint/state';

const FAKE_CLIENT = resolve(__dirname, '../fixtures/runtime-api/fake-client.js');

describe('Runtime API emulator: what the real clients need', function () {
  this.timeout(20_000);
  const backends: RuntimeApiFunctionBackend[] = [];
  after(async () => {
    await Promise.all(backends.splice(0).map((backend) => backend.dispose()));
  });

  function backendFor(behaviour: string, nodeArgs?: string[]): { invoke(): Promise<RuntimeApiResult> } {
    const served = new EndpointState('us-east-1').addFunction({ name: `fake-${behaviour}`, code: { taskRoot: resolve(__dirname, '../fixtures/runtime-api') }, handler: behaviour });
    const backend = createRuntimeApiBackend(
      { name: served.name, code: served.code, configuration: served.configuration, optDir: null, region: 'us-east-1' },
      { clientEntry: FAKE_CLIENT, nodeArgs, freeze: false },
    );
    backends.push(backend);
    return {
      invoke: () => backend.invoke({ requestId: randomUUID(), event: {}, payload: Buffer.from('{}'), configuration: served.configuration }),
    };
  }

  it('holds several /next polls open and hands each event to the oldest', async () => {
    const fn = backendFor('twoPollers');
    const first = await fn.invoke();
    // By now both pollers wait: the second (sent while the first handled its event), then the
    // first again. An emulator that keeps only the latest poll hands the event to the first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await fn.invoke();
    assert.deepEqual(JSON.parse(first.payload.toString()), { poller: 'first' });
    assert.equal(first.functionError, null);
    assert.deepEqual(JSON.parse(second.payload.toString()), { poller: 'second' });
    assert.deepEqual([first.cold, second.cold], [true, false]);
  });

  it('takes a streamed (chunked) response as the response', async () => {
    const fn = backendFor('streams');
    const result = await fn.invoke();
    assert.equal(result.payload.toString(), 'streamed in chunks');
    assert.equal(result.functionError, null);
    assert.equal(result.failedPhase, null);
  });

  it('fails the invocation with the error of the trailers when a stream fails midway', async () => {
    const result = await backendFor('failsMidStream').invoke();
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(result.failedPhase, 'invoke');
    assert.deepEqual(JSON.parse(result.payload.toString()), { errorType: 'Error', errorMessage: 'failed mid-stream', trace: [] });
  });

  it('reports an init error as one, with the error type the runtime gave', async () => {
    const fn = backendFor('initError');
    const result = await fn.invoke();
    assert.equal(result.failedPhase, 'init');
    assert.equal(result.functionError, 'Unhandled');
    assert.equal(JSON.parse(result.payload.toString()).errorType, 'Runtime.ImportModuleError');
    assert.match(result.logs, /Error Type: Runtime\.ImportModuleError/);
    // The next invocation tries init again.
    assert.equal((await fn.invoke()).cold, true);
  });

  it("says a clean exit in Lambda's words", async () => {
    const result = await backendFor('exitsCleanly').invoke();
    assert.equal(result.failedPhase, 'invoke');
    const error = JSON.parse(result.payload.toString());
    assert.equal(error.errorType, 'Runtime.ExitError');
    assert.match(error.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited without providing a reason$/);
  });

  it('starts node with the flags given, before the client', async () => {
    const result = await backendFor('flags', ['--no-experimental-require-module']).invoke();
    assert.deepEqual(JSON.parse(result.payload.toString()), { execArgv: ['--no-experimental-require-module'] });
  });
});
