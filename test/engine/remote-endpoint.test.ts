/**
 * The local Lambda endpoint driven by the real @aws-sdk/client-lambda: real HTTP, real
 * SigV4 signing, real child processes running the fixture functions.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { functionLogLines, requestLine, startLambdaEndpoint, type LambdaEndpoint, type RequestEntry } from '../../src/core/endpoint/server';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { EVENT_PAYLOAD_LIMIT, EVENT_QUEUE_LIMIT } from '../../src/core/endpoint/invoke-route';
import { decodeLogResult, parseLogTail } from '../../src/core/lambda/report';
import { writeZip } from '../../src/core/lambda/zip';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentStatus, InvokeOptions, WarmEnvironment } from '../../src/core/runtime/environment-api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const counter = { taskRoot: join(fixtures, 'counter'), file: join(fixtures, 'counter', 'handler.js'), handlerExport: 'handler' };

/** A client signing with the endpoint's run key unless told otherwise. */
function client(endpoint: LambdaEndpoint, accessKeyId = endpoint.credentials.accessKeyId, secretAccessKey = endpoint.credentials.secretAccessKey, maxAttempts = 1): LambdaClient {
  return new LambdaClient({ region: 'eu-west-1', endpoint: endpoint.url, credentials: { accessKeyId, secretAccessKey }, maxAttempts });
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal(error.name, name, `${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${name}`);
}

/** Function `two` (fixtures/remote/two-handlers) runs the export its Handler setting names, also after UpdateFunctionConfiguration changes it. */
async function assertRunsTheHandlerSetting(lambda: LambdaClient): Promise<void> {
  const invoke = async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'two', Payload: '{}' }));
    return { error: result.FunctionError ?? null, body: JSON.parse(text(result.Payload)) as Record<string, unknown> };
  };
  assert.deepEqual(await invoke(), { error: null, body: { from: 'handler' } });
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'two', Handler: 'handler.other' }));
  assert.deepEqual(await invoke(), { error: null, body: { from: 'other' } });
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'two', Handler: 'handler.missing' }));
  const missing = await invoke();
  assert.equal(missing.error, 'Unhandled');
  assert.equal(missing.body.errorType, 'Runtime.HandlerNotFound');
}

/**
 * Function `queued` (the counter, one environment, a timeout of 2 s or more) answers an Event
 * 202 while busy and runs it once when free, whole: 1.5 s of work that would not fit in its
 * timeout if the clock had started while it waited.
 */
/** Function `context` (fixtures/remote/two-handlers, export clientContext) answers its context.clientContext. */
async function assertPassesClientContext(lambda: LambdaClient): Promise<void> {
  const sent = { client: { app_title: 'café ☕ 😀' }, custom: { tenant: 'a', n: 1 }, env: { platform: 'test\n' } };
  const invoke = (ClientContext?: string) => lambda.send(new InvokeCommand({ FunctionName: 'context', Payload: '{}', ...(ClientContext === undefined ? {} : { ClientContext }) }));
  const given = await invoke(Buffer.from(JSON.stringify(sent)).toString('base64'));
  assert.deepEqual(JSON.parse(text(given.Payload)), { clientContext: sent });
  assert.deepEqual(JSON.parse(text((await invoke()).Payload)), { clientContext: 'none' }, 'none without one');
  // The API reference's limit: 3,583 bytes of base64 (3,580 is the longest padded length under it).
  const padded = (jsonLength: number) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(jsonLength - 10) })).toString('base64');
  assert.equal(padded(2685).length, 3580);
  assert.equal(JSON.parse(text((await invoke(padded(2685))).Payload)).clientContext.pad.length, 2675, 'at the limit');
  const bad = [
    padded(2686), // 3,584 bytes
    'not base64!',
    Buffer.from('{not json').toString('base64'),
    Buffer.from('[1,2]').toString('base64'), // JSON, not an object
    Buffer.from([0x22, ...new Array<number>(2683).fill(0xff), 0x22]).toString('base64'), // not UTF-8
  ];
  for (const value of bad) {
    const error = await lambda.send(new InvokeCommand({ FunctionName: 'context', Payload: '{}', ClientContext: value })).then(
      () => null,
      (thrown: Error) => thrown,
    );
    assert.equal(error?.name, 'InvalidRequestContentException', value.slice(0, 40));
    assert.equal(error?.message, 'Client context must be a valid Base64-encoded JSON object.');
  }
  // Checked for every invocation type, as the event is.
  for (const InvocationType of ['DryRun', 'Event'] as const) {
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'context', Payload: '{}', InvocationType, ClientContext: 'not base64!' })), 'InvalidRequestContentException');
  }
}

async function assertQueuesEvent(lambda: LambdaClient): Promise<void> {
  const busy = lambda.send(new InvokeCommand({ FunctionName: 'queued', Payload: JSON.stringify({ sleepMs: 1200 }) }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const queued = await lambda.send(new InvokeCommand({ FunctionName: 'queued', InvocationType: 'Event', Payload: JSON.stringify({ sleepMs: 1500 }) }));
  assert.equal(queued.StatusCode, 202);
  assert.equal(JSON.parse(text((await busy).Payload)).invocations, 1);
  // Synchronous calls (throttled while the queued one runs) until one sees it ran: once.
  let synchronous = 1;
  for (let tries = 0; tries < 100; tries++) {
    try {
      const { invocations } = JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'queued', Payload: '{}' }))).Payload)) as { invocations: number };
      synchronous += 1;
      if (invocations > synchronous) {
        assert.equal(invocations, synchronous + 1, 'the queued invocation ran exactly once');
        return;
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === 'TooManyRequestsException')) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the queued invocation never ran');
}

const twoHandlers = { taskRoot: join(fixtures, 'two-handlers'), file: join(fixtures, 'two-handlers', 'handler.js'), handlerExport: 'handler' };

describe('remote endpoint: Lambda API on 127.0.0.1 with the real SDK', function () {
  this.timeout(30000);
  let endpoint: LambdaEndpoint;
  let lambda: LambdaClient;

  before(async () => {
    endpoint = await startLambdaEndpoint({
      port: 0,
      // Not the region the tests' client signs for (eu-west-1), whatever AWS_REGION says here.
      region: 'us-east-1',
      backendFactory: createBackendFactory(),
      functions: [
        { name: 'counter', code: counter },
        { name: 'other', code: counter },
        { name: 'slow', code: counter, timeoutSeconds: 1 },
        { name: 'two', code: twoHandlers },
        // Through the Runtime API like any function here: a wrapper-less NODE_OPTIONS one.
        { name: 'queued', code: counter, timeoutSeconds: 2, environment: { NODE_OPTIONS: '--no-warnings' } },
        // Reserved concurrency 0: every invocation throttled, every Event queued.
        { name: 'closed', code: counter, reservedConcurrency: 0 },
        { name: 'plain', runtime: 'provided.al2023', handler: 'bootstrap', code: { taskRoot: join(fixtures, 'custom-runtime') } },
        { name: 'context', code: { ...twoHandlers, handlerExport: 'clientContext' } },
      ],
      access: { principals: { AKIDSIGNED: { secretAccessKey: 'the-right-secret' } } },
    });
    lambda = client(endpoint);
  });

  after(async () => {
    lambda.destroy();
    await endpoint.close();
  });

  it('listens on 127.0.0.1 only', () => {
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('keeps module state warm and returns the log tail, Init Duration on the first call only', async () => {
    const first = await lambda.send(new InvokeCommand({ FunctionName: 'counter', LogType: 'Tail', Payload: JSON.stringify({ id: 'a' }) }));
    const second = await lambda.send(new InvokeCommand({ FunctionName: 'counter', LogType: 'Tail', Payload: JSON.stringify({ id: 'b' }) }));
    assert.equal(first.StatusCode, 200);
    assert.equal(first.ExecutedVersion, '$LATEST');
    assert.equal(first.FunctionError, undefined);
    assert.deepEqual(JSON.parse(text(first.Payload)).invocations, 1);
    assert.deepEqual(JSON.parse(text(second.Payload)).invocations, 2);
    const coldTail = parseLogTail(decodeLogResult(first.LogResult));
    const warmTail = parseLogTail(decodeLogResult(second.LogResult));
    assert.ok(coldTail.report && coldTail.report.initDurationMs !== null && coldTail.report.initDurationMs > 0);
    assert.ok(warmTail.report);
    assert.equal(warmTail.report.initDurationMs, null);
    assert.equal(warmTail.report.memorySizeMB, 128);
    assert.ok(warmTail.report.maxMemoryUsedMB >= coldTail.report.maxMemoryUsedMB, 'Max Memory Used is a high-water mark');
    assert.match(warmTail.text, /\tINFO\tinvocation 2 seen 2/);
    const noTail = await lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: '{}' }));
    assert.equal(noTail.LogResult, undefined, 'no X-Amz-Log-Result without LogType Tail');
  });

  it('answers a function error with X-Amz-Function-Error and stays warm', async () => {
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'other', Payload: JSON.stringify({ id: 1, fail: true }) }));
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, 'Unhandled');
    const error = JSON.parse(text(failed.Payload));
    assert.equal(error.errorType, 'TypeError');
    assert.equal(error.errorMessage, 'asked to fail on 1');
    assert.ok(Array.isArray(error.trace));
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'other', Payload: JSON.stringify({ id: 2 }) }));
    assert.equal(JSON.parse(text(next.Payload)).invocations, 2);
  });

  it('times out like Lambda and starts cold afterwards', async () => {
    const timedOut = await lambda.send(new InvokeCommand({ FunctionName: 'slow', LogType: 'Tail', Payload: JSON.stringify({ sleepMs: 3000 }) }));
    assert.equal(timedOut.FunctionError, 'Unhandled');
    assert.deepEqual(JSON.parse(text(timedOut.Payload)), {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
      trace: [],
    });
    assert.equal(parseLogTail(decodeLogResult(timedOut.LogResult)).report?.status, 'timeout');
    const after = await lambda.send(new InvokeCommand({ FunctionName: 'slow', LogType: 'Tail', Payload: '{}' }));
    assert.equal(JSON.parse(text(after.Payload)).invocations, 1, 'module state is gone');
    assert.notEqual(parseLogTail(decodeLogResult(after.LogResult)).report?.initDurationMs, null);
  });

  it('keeps only the last 4 KB of a long log', async () => {
    const long = await lambda.send(new InvokeCommand({ FunctionName: 'counter', LogType: 'Tail', Payload: JSON.stringify({ shout: 10000 }) }));
    assert.ok(long.LogResult);
    const bytes = Buffer.from(long.LogResult, 'base64');
    assert.ok(bytes.length <= 4096 && bytes.length > 4000, `tail is ${bytes.length} bytes`);
    const tail = parseLogTail(bytes.toString('utf8'));
    assert.equal(tail.startMissing, true);
    assert.ok(tail.report);
  });

  it('answers service errors with the status and type the SDK maps', async () => {
    const missing = await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'nope' })), 'ResourceNotFoundException', /Function not found: arn:aws:lambda:.*:function:nope/);
    assert.equal(missing.$metadata?.httpStatusCode, 404);
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'counter', Qualifier: 'live' })), 'ResourceNotFoundException', /function:counter:live/);
    // A full ARN is resolved as Lambda resolves it: its name is not nested in another ARN, its
    // region must be the one signed for, and its qualifier must agree with Qualifier.
    await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:nope' })),
      'ResourceNotFoundException',
      /^Function not found: arn:aws:lambda:eu-west-1:\d{12}:function:nope$/,
    );
    await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:999999999999:function:nope:$LATEST' })),
      'ResourceNotFoundException',
      /^Function not found: arn:aws:lambda:eu-west-1:999999999999:function:nope:\$LATEST$/,
    );
    // A known function under a qualifier that is not there: the ARN as given, account, region and qualifier kept.
    await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:counter:prod' })),
      'ResourceNotFoundException',
      /^Function not found: arn:aws:lambda:us-east-1:999999999999:function:counter:prod$/,
    );
    // None of Lambda's forms (a trailing colon): its 400, never an ARN nested in another.
    const malformed = await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:counter:' })),
      'ValidationException',
      /^1 validation error detected: Value 'arn:aws:lambda:eu-west-1:123456789012:function:counter:' at 'functionName' failed to satisfy constraint/,
    );
    assert.equal(malformed.$metadata?.httpStatusCode, 400);
    const otherRegion = await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:counter', Payload: '{}' })),
      'ResourceNotFoundException',
      /^Functions from 'us-west-2' are not reachable in this region \('eu-west-1'\)$/,
    );
    assert.equal(otherRegion.$metadata?.httpStatusCode, 404);
    await rejectsWith(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:counter' })),
      'ResourceNotFoundException',
      /not reachable in this region/,
    );
    const contradicted = await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'counter:$LATEST', Qualifier: 'live', Payload: '{}' })),
      'InvalidParameterValueException',
      /^The derived qualifier from the function name does not match the specified qualifier\.$/,
    );
    assert.equal(contradicted.$metadata?.httpStatusCode, 400);
    const agreed = await lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:counter:$LATEST', Qualifier: '$LATEST', Payload: '{}' }));
    assert.equal(agreed.StatusCode, 200);
    // The ARN the endpoint reports is in its own region, whichever region the caller signs for: it is served.
    const { FunctionArn } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'counter' }));
    assert.match(FunctionArn ?? '', new RegExp(`^arn:aws:lambda:${endpoint.state.region}:`));
    assert.notEqual(endpoint.state.region, 'eu-west-1', 'this client signs for another region than the endpoint\'s');
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: FunctionArn, Payload: '{}' }))).StatusCode, 200);
    const badJson = await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: Buffer.from('{not json') })),
      'InvalidRequestContentException',
      /Could not parse request body into json/,
    );
    assert.equal(badJson.$metadata?.httpStatusCode, 400);
    const big = await rejectsWith(
      lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: Buffer.from(JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024) })) })),
      'RequestTooLargeException',
      /6291456 bytes/,
    );
    assert.equal(big.$metadata?.httpStatusCode, 413);
  });

  it('throttles a second concurrent call with 429 TooManyRequestsException', async () => {
    const busy = lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: JSON.stringify({ sleepMs: 400 }) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const throttled = await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: '{}' })), 'TooManyRequestsException', /Rate Exceeded/);
    assert.equal(throttled.$metadata?.httpStatusCode, 429);
    assert.equal((throttled as unknown as { Reason?: string }).Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    assert.equal((await busy).StatusCode, 200);
  });

  it('turns an oversized response into Function.ResponseSizeTooLarge', async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'other', Payload: JSON.stringify({ bigResponse: true }) }));
    assert.equal(result.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(text(result.Payload)).errorType, 'Function.ResponseSizeTooLarge');
  });

  it('passes a custom runtime response through unchanged, even when it is not JSON', async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'plain', LogType: 'Tail', Payload: '{"a":1}' }));
    assert.equal(text(result.Payload), 'plain text, not JSON (7 bytes in)');
    assert.match(decodeLogResult(result.LogResult), /custom runtime got \{"a":1\}/);
  });

  it('pages ListFunctions with Marker and MaxItems', async () => {
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 3, Marker: marker }));
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.deepEqual(names, ['closed', 'context', 'counter', 'other', 'plain', 'queued', 'slow', 'two']);
    assert.equal(pages, 3);
    await rejectsWith(lambda.send(new ListFunctionsCommand({ Marker: 'garbage' })), 'InvalidParameterValueException');
  });

  it('updates configuration: new variables reach a cold environment; stale RevisionId is refused', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'other' }));
    assert.equal(before.Runtime, 'nodejs20.x');
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'other', Environment: { Variables: { GREETING: 'hello' } }, RevisionId: before.RevisionId }),
    );
    assert.deepEqual(updated.Environment?.Variables, { GREETING: 'hello' });
    // What deploy scripts do next: wait for the update with the SDK's waiter (it polls GetFunction).
    const waited = await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: 'other' });
    assert.equal(waited.state, 'SUCCESS');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'other' }));
    assert.deepEqual(got.Configuration, await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'other' })).then(({ $metadata: _metadata, ...configuration }) => configuration));
    assert.notEqual(updated.RevisionId, before.RevisionId);
    await rejectsWith(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'other', Description: 'x', RevisionId: before.RevisionId })),
      'PreconditionFailedException',
    );
    const result = JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'other', Payload: '{}' }))).Payload));
    assert.equal(result.greeting, 'hello');
    assert.equal(result.invocations, 1, 'a configuration change starts a new environment');
    await rejectsWith(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'other', Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:none:1'] })),
      'InvalidParameterValueException',
      /does not exist/,
    );
  });

  it('runs the handler a configuration change names, found as the runtime client finds it', () => assertRunsTheHandlerSetting(lambda));

  it("passes Invoke's ClientContext to the handler's context.clientContext (the Runtime API header); a bad one is a 400", () => assertPassesClientContext(lambda));

  it('queues an asynchronous invocation behind a busy function and runs it whole (its timeout starts when it runs)', () => assertQueuesEvent(lambda));

  it('bounds asynchronous invocations: 1 MB events, 100 queued per function, then 429', async () => {
    const tooBig = lambda.send(new InvokeCommand({ FunctionName: 'closed', InvocationType: 'Event', Payload: JSON.stringify({ pad: 'x'.repeat(EVENT_PAYLOAD_LIMIT) }) }));
    await rejectsWith(tooBig, 'RequestTooLargeException');
    for (let i = 0; i < EVENT_QUEUE_LIMIT; i++) {
      assert.equal((await lambda.send(new InvokeCommand({ FunctionName: 'closed', InvocationType: 'Event', Payload: '{}' }))).StatusCode, 202);
    }
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'closed', InvocationType: 'Event', Payload: '{}' })), 'TooManyRequestsException');
  });

  it('publishes and reads layer versions', async () => {
    const zip = writeZip([{ path: 'nodejs/node_modules/x/index.js', data: Buffer.from('module.exports = 1;') }]);
    const first = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'tools', Content: { ZipFile: zip }, CompatibleRuntimes: ['nodejs20.x'] }));
    const second = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'tools', Content: { ZipFile: zip } }));
    assert.equal(first.Version, 1);
    assert.equal(second.Version, 2);
    assert.match(second.LayerVersionArn ?? '', /:layer:tools:2$/);
    const read = await lambda.send(new GetLayerVersionCommand({ LayerName: 'tools', VersionNumber: 1 }));
    assert.equal(read.Content?.CodeSize, zip.length);
    assert.deepEqual(read.CompatibleRuntimes, ['nodejs20.x']);
    await rejectsWith(lambda.send(new PublishLayerVersionCommand({ LayerName: 'tools', Content: { ZipFile: Buffer.from('not a zip') } })), 'InvalidParameterValueException');
    await rejectsWith(lambda.send(new GetLayerVersionCommand({ LayerName: 'tools', VersionNumber: 9 })), 'ResourceNotFoundException');
  });

  it('verifies SigV4 signatures for principals with a known secret and refuses unsigned calls', async () => {
    const good = client(endpoint, 'AKIDSIGNED', 'the-right-secret');
    const bad = client(endpoint, 'AKIDSIGNED', 'a-wrong-secret');
    try {
      assert.equal((await good.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:counter', Payload: '{"q":"a b"}' }))).StatusCode, 200);
      assert.ok((await good.send(new ListFunctionsCommand({ MaxItems: 2 }))).Functions);
      await rejectsWith(bad.send(new InvokeCommand({ FunctionName: 'counter', Payload: '{}' })), 'InvalidSignatureException');
    } finally {
      good.destroy();
      bad.destroy();
    }
    const unsigned = await fetch(`${endpoint.url}/2015-03-31/functions/counter/invocations`, { method: 'POST', body: '{}' });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });
});

describe('remote endpoint: backed by the warm local environment (engine)', function () {
  this.timeout(30000);
  let endpoint: LambdaEndpoint;
  let lambda: LambdaClient;
  const requests: RequestEntry[] = [];
  const functionLogs: Array<{ name: string; logs: string; requestsSeen: number }> = [];
  const demo = join(__dirname, '..', '..', 'examples', 'freeze-demo');

  before(async () => {
    const { createLocalEnvironment } = await import('../../src/core/runtime/local-environment');
    endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }),
      functions: [
        { name: 'freeze-demo', code: { taskRoot: demo, file: join(demo, 'handler.js'), handlerExport: 'test' } },
        { name: 'counter', code: counter },
        { name: 'two', code: twoHandlers },
        { name: 'arn', code: { ...twoHandlers, handlerExport: 'arn' } },
        { name: 'context', code: { ...twoHandlers, handlerExport: 'clientContext' } },
        { name: 'queued', code: counter, reservedConcurrency: 1 },
        { name: 'logged', code: counter },
      ],
      onRequest: (entry) => requests.push(entry),
      onFunctionLogs: (name, logs) => functionLogs.push({ name, logs, requestsSeen: requests.length }),
    });
    lambda = client(endpoint);
  });

  after(async () => {
    lambda.destroy();
    await endpoint.close();
  });

  it('serves the freeze demo warm: arrayB grows across invocations, Init Duration only on the first', async () => {
    const tails = [];
    for (let i = 0; i < 3; i++) {
      const result = await lambda.send(new InvokeCommand({ FunctionName: 'freeze-demo', LogType: 'Tail', Payload: '{}' }));
      assert.equal(result.StatusCode, 200);
      assert.equal(result.FunctionError, undefined);
      assert.equal(text(result.Payload), 'null');
      tails.push(parseLogTail(decodeLogResult(result.LogResult)));
    }
    assert.match(tails[2].text, /Array B: \[ 'B', 'B', 'B' \]/);
    assert.match(tails[2].text, /Array A: \[ 'A' \]/);
    assert.ok(tails[0].report && tails[0].report.initDurationMs !== null);
    assert.equal(tails[1].report?.initDurationMs, null);
    assert.equal(tails[2].report?.initDurationMs, null);
    assert.equal(tails[2].requestId, tails[2].report?.requestId);
  });

  it("hands every invocation's complete log to the endpoint's owner, answered early or with the tail", async () => {
    const before = functionLogs.length;
    const requestsBefore = requests.length;
    const early = await lambda.send(new InvokeCommand({ FunctionName: 'logged', Payload: JSON.stringify({ id: 'early' }) }));
    const tail = await lambda.send(new InvokeCommand({ FunctionName: 'logged', LogType: 'Tail', Payload: JSON.stringify({ id: 'tail' }) }));
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'logged', Payload: JSON.stringify({ id: 'bad', fail: true }) }));
    // The early answer's log is complete only after the answer: wait for it rather than race it.
    for (let waited = 0; functionLogs.length < before + 3 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const [earlyLog, tailLog, failedLog] = functionLogs.slice(before);
    for (const [index, [result, log]] of ([[early, earlyLog], [tail, tailLog], [failed, failedLog]] as const).entries()) {
      assert.equal(log.name, 'logged');
      // Its request's line first (the tail's answer waits for the log, the others' does not).
      assert.ok(log.requestsSeen >= requestsBefore + index + 1, `the log of invocation ${index} came before its request line`);
      const requestId = result.$metadata.requestId ?? '';
      assert.match(log.logs, new RegExp(`^START RequestId: ${requestId}[\\s\\S]*\\nEND RequestId: ${requestId}\\nREPORT RequestId: ${requestId}\\t`), 'Lambda\'s log of that invocation, START to REPORT');
    }
    assert.match(earlyLog.logs, /\tINFO\tinvocation \d+ seen \d+\n/);
    assert.equal(tailLog.logs, decodeLogResult(tail.LogResult), 'the same log the tail returned');
    assert.match(failedLog.logs, /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"asked to fail on bad"/);
    // What a terminal shows of it: the function's own lines under its name, Lambda's START, END and REPORT left out.
    const shown = functionLogLines('logged', earlyLog.logs);
    assert.equal(shown.length, 1);
    assert.match(shown[0], /^logged \| \S+Z\t[0-9a-f-]{36}\tINFO\tinvocation \d+ seen \d+$/);
  });

  it('reports handler errors as Unhandled and keeps the environment warm', async () => {
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: JSON.stringify({ id: 1, fail: true }) }));
    assert.equal(failed.FunctionError, 'Unhandled');
    assert.equal(JSON.parse(text(failed.Payload)).errorType, 'TypeError');
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: JSON.stringify({ id: 2 }) }));
    assert.equal(JSON.parse(text(next.Payload)).invocations, 2);
    // The request log tells the failed invocation from the one that answered, both 200 to the caller.
    const [failedLine, nextLine] = requests.slice(-2).map(requestLine);
    assert.match(failedLine, /^POST \/2015-03-31\/functions\/counter\/invocations -> 200, the function failed \(TypeError\) \(\d+ ms\)$/);
    assert.match(nextLine, /^POST \/2015-03-31\/functions\/counter\/invocations -> 200 \(\d+ ms\)$/);
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' })), 'ResourceNotFoundException');
    assert.match(requestLine(requests[requests.length - 1]), /-> 404 ResourceNotFoundException \(\d+ ms\)$/);
  });
  it('runs the handler a configuration change names, found as the runtime client finds it', () => assertRunsTheHandlerSetting(lambda));

  it('answers an asynchronous invocation 202 while the function is busy, and runs it once an environment is free', async () => {
    await assertQueuesEvent(lambda);
    assert.ok(requests.some((entry) => /\/queued\/invocations \(queued\) -> 200 \(\d+ ms\)$/.test(requestLine(entry))), 'the request log tells when the queued invocation ran');
  });

  it("passes Invoke's ClientContext to the handler's context.clientContext; a bad one is a 400", () => assertPassesClientContext(lambda));

  it("gives the handler the function's ARN as the endpoint reports it", async () => {
    const { FunctionArn } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'arn' }));
    const result = JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'arn', Payload: '{}' }))).Payload)) as { arn: string };
    assert.equal(result.arn, FunctionArn);
  });
});

/**
 * An environment that gives each invocation's payload at once and completes its record only
 * when the test says so: the window in which a real one still reads the logs, made to last.
 */
class RecordOnCueEnvironment implements WarmEnvironment {
  readonly source = 'local' as const;
  readonly capacity = 1;
  readonly started: unknown[] = [];
  private readonly completions: Array<{ complete: () => void; fail: (error: Error) => void }> = [];

  status(): EnvironmentStatus {
    return { state: this.completions.length > 0 ? 'invoking' : 'warm', frozen: false, warmInvocations: this.started.length, generation: 1, nodeVersion: 'v20.0.0', lastReset: null };
  }

  /** Records not completed yet. */
  get finishing(): number {
    return this.completions.length;
  }

  completeOldest(): void {
    this.completions.shift()?.complete();
  }

  /** The oldest invocation ends with an engine error instead of its record (it had answered). */
  failOldest(error: Error): void {
    this.completions.shift()?.fail(error);
  }

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<RawInvocation> {
    this.started.push(event);
    const requestId = `request-${this.started.length}`;
    options.onPayload?.({ requestId, payload: JSON.stringify({ answered: event }), failed: false });
    await new Promise<void>((complete, fail) => this.completions.push({ complete, fail }));
    return {
      source: 'local', cold: this.started.length === 1, requestId, startedAt: new Date(0).toISOString(), durationMs: 1, billedDurationMs: 1, initDurationMs: null,
      memorySizeMB: 128, maxMemoryUsedMB: 40, response: { answered: event }, error: null, logs: '', moduleScope: null, handlerScope: null, parameters: null,
      memory: null, reset: null, captureError: null, runtimeVersion: 'v20.0.0', generation: 1,
    };
  }

  async reset(): Promise<void> {}

  onStatusChange(): { dispose(): void } {
    return { dispose: () => undefined };
  }

  async dispose(): Promise<void> {
    while (this.completions.length > 0) this.completeOldest();
  }
}

describe('remote endpoint: the answer goes out when the payload is known', function () {
  this.timeout(30000);

  /** An endpoint serving `single` from RecordOnCueEnvironments, and the environments it made. */
  async function onCueEndpoint(options: Partial<Parameters<typeof startLambdaEndpoint>[0]> & { reservedConcurrency?: number } = {}) {
    const environments: RecordOnCueEnvironment[] = [];
    const { reservedConcurrency, ...rest } = options;
    const endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory({
        createEnvironment: () => {
          environments.push(new RecordOnCueEnvironment());
          return environments[environments.length - 1];
        },
      }),
      functions: [{ name: 'single', code: counter, ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }) }],
      ...rest,
    });
    return { endpoint, environments };
  }

  it('answers before the record is complete; the next call waits for that environment (reserved concurrency 1: no 429), and LogType Tail waits for the logs', async () => {
    const { endpoint, environments } = await onCueEndpoint({ reservedConcurrency: 1 });
    const lambda = client(endpoint);
    try {
      const first = await lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: '1' }));
      assert.equal(text(first.Payload), '{"answered":1}');
      assert.equal(environments[0].finishing, 1, 'answered while its record was still being completed');
      let secondAnswered = false;
      const second = lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: '2' })).finally(() => (secondAnswered = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(secondAnswered, false, 'the second call waits for the environment');
      assert.deepEqual(environments[0].started, [1]);
      environments[0].completeOldest();
      assert.equal(text((await second).Payload), '{"answered":2}', 'then runs in it, not throttled');
      assert.equal(environments.length, 1);
      environments[0].completeOldest();

      let tailAnswered = false;
      const tail = lambda.send(new InvokeCommand({ FunctionName: 'single', LogType: 'Tail', Payload: '3' })).finally(() => (tailAnswered = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(tailAnswered, false, 'with the log tail the answer waits for the record');
      environments[0].completeOldest();
      assert.equal(text((await tail).Payload), '{"answered":3}');
    } finally {
      lambda.destroy();
      await endpoint.close();
    }
  });

  it("tells the endpoint's owner when an invocation answered early fails before its log is complete", async () => {
    const requests: string[] = [];
    const functionLogs: string[] = [];
    const { endpoint, environments } = await onCueEndpoint({
      onRequest: (entry) => requests.push(requestLine(entry)),
      onFunctionLogs: (name, logs) => functionLogs.push(`${name}: ${logs}`),
    });
    const lambda = client(endpoint);
    try {
      const answered = await lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: '1' }));
      assert.equal(text(answered.Payload), '{"answered":1}');
      assert.match(requests[0], /-> 200 \(\d+ ms\)$/);
      environments[0].failOldest(new Error('the environment was disposed'));
      for (let waited = 0; functionLogs.length === 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(functionLogs, ['single: [Warm State: the invocation ended after its answer, before its log was complete: the environment was disposed]\n']);
    } finally {
      lambda.destroy();
      await endpoint.close();
    }
  });
  it('says when an answer was not delivered because the caller had closed its connection', async () => {
    const requests: string[] = [];
    const { endpoint, environments } = await onCueEndpoint({ onRequest: (entry) => requests.push(requestLine(entry)) });
    const lambda = client(endpoint);
    try {
      const controller = new AbortController();
      // With the log tail the answer waits for the record, which comes on cue: after the caller left.
      const gone = lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: '1', LogType: 'Tail' }), { abortSignal: controller.signal }).catch((error: Error) => error.name);
      for (let waited = 0; environments[0]?.finishing !== 1 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      assert.equal(await gone, 'AbortError');
      await new Promise((resolve) => setTimeout(resolve, 100));
      environments[0].completeOldest();
      for (let waited = 0; requests.length === 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.match(requests[0], /-> 200, not delivered: the connection had closed \(\d+ ms\)$/);
      const answered = await lambda.send(new InvokeCommand({ FunctionName: 'single', Payload: '2' }));
      assert.equal(text(answered.Payload), '{"answered":2}');
      assert.match(requests[1], /-> 200 \(\d+ ms\)$/, 'a delivered answer says nothing more');
    } finally {
      lambda.destroy();
      await endpoint.close();
    }
  });
});

describe('remote endpoint: stopping', function () {
  this.timeout(20000);

  it('logs the request it cut off, and that invocation\'s output, before close() returns', async () => {
    const requests: string[] = [];
    const functionLogs: string[] = [];
    const endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory(),
      functions: [{ name: 'counter', code: counter, timeoutSeconds: 30 }],
      onRequest: (entry) => requests.push(requestLine(entry)),
      onFunctionLogs: (name, logs) => functionLogs.push(`${name}: ${logs}`),
    });
    const lambda = client(endpoint);
    try {
      const cutOff = lambda.send(new InvokeCommand({ FunctionName: 'counter', Payload: JSON.stringify({ id: 1, sleepMs: 10_000 }) })).catch((error: Error) => error);
      for (let waited = 0; !functionLogs.length && waited < 5000 && endpoint.state.listFunctions().every((fn) => fn.inFlight === 0); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await endpoint.close();
      assert.equal(requests.length, 1, requests.join('\n'));
      assert.match(requests[0], /POST \/2015-03-31\/functions\/counter\/invocations -> 200, the function failed \(Runtime\.ExitError\), not delivered: the connection had closed/);
      assert.equal(functionLogs.length, 1, 'its output came before close() returned');
      assert.ok(await cutOff instanceof Error);
    } finally {
      lambda.destroy();
      await endpoint.close();
    }
  });
});

describe('remote endpoint: a runtime entrypoint that cannot start', function () {
  this.timeout(20000);

  it('fails the invocation at once with Runtime.InvalidEntrypoint, not at its timeout, every time', async () => {
    const endpoint = await startLambdaEndpoint({
      port: 0,
      backendFactory: createBackendFactory(),
      functions: [{ name: 'wrapped', code: counter, timeoutSeconds: 60, environment: { AWS_LAMBDA_EXEC_WRAPPER: join(fixtures, 'no-such-wrapper') } }],
    });
    const lambda = client(endpoint);
    try {
      for (let i = 0; i < 2; i++) {
        const result = await lambda.send(new InvokeCommand({ FunctionName: 'wrapped', Payload: '{}', LogType: 'Tail' }));
        assert.equal(result.FunctionError, 'Unhandled');
        const body = JSON.parse(text(result.Payload)) as { errorType: string; errorMessage: string };
        assert.equal(body.errorType, 'Runtime.InvalidEntrypoint');
        assert.match(body.errorMessage, /no-such-wrapper: no such file or directory/);
        assert.match(decodeLogResult(result.LogResult), /ENOENT/);
      }
    } finally {
      lambda.destroy();
      await endpoint.close();
    }
  });
});

/** Status and error type of a POST sent as written: fetch and the SDK would rewrite the Host header and the path. */
async function postAsWritten(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string | undefined }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string | undefined });
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('remote endpoint: its region', () => {
  it("is the caller's (AWS_REGION) unless given: the ARNs it reports say so", async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'ap-southeast-2';
    let endpoint: LambdaEndpoint | null = null;
    try {
      endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'counter', code: counter }] });
      assert.equal(endpoint.state.region, 'ap-southeast-2');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
      await endpoint?.close();
    }
    const given = await startLambdaEndpoint({ port: 0, region: 'eu-north-1', backendFactory: createBackendFactory(), functions: [] });
    await given.close();
    assert.equal(given.state.region, 'eu-north-1');
  });
});

describe('remote endpoint: host guard', () => {
  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'counter', code: counter }] });
    try {
      const answer = await postAsWritten(endpoint.port, '/2015-03-31/functions/counter/invocations', { Host: 'evil.example:80', Authorization: 'x' });
      assert.deepEqual(answer, { status: 403, type: 'AccessDeniedException' });
    } finally {
      await endpoint.close();
    }
  });
});

describe('remote endpoint: request targets', () => {
  it('answers a target URL parsing refuses (`//` then no valid host) 404 UnknownOperation, not a 500', async () => {
    const endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'counter', code: counter }] });
    try {
      for (const path of ['//', '//[/2015-03-31/functions/counter/invocations', '//x:99999/2015-03-31/functions/counter/invocations']) {
        assert.deepEqual(await postAsWritten(endpoint.port, path, { Authorization: 'x' }), { status: 404, type: 'UnknownOperationException' }, path);
      }
    } finally {
      await endpoint.close();
    }
  });
});
