/**
 * Records stay within their size limits with real child processes: logs keep their first and
 * last part, a long error message is cut, and a response over Lambda's 6 MiB payload limit
 * fails as it does on Lambda; each cut is named in `truncatedFields`.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { limitOutcome, LOG_HEAD_CHARS, LOG_TAIL_CHARS, PAYLOAD_LIMIT_BYTES, RECORD_ERROR_LIMITS } from '../../src/core/lambda/limits';
import type { EarlyPayload } from '../../src/core/runtime/environment-api';
import { EnvironmentPool, fixture, leftoverChildren } from './environment-helpers';

describe('record size limits (real child processes)', function () {
  this.timeout(30_000);
  const pool = new EnvironmentPool();
  after(async () => {
    await pool.disposeAll();
    assert.deepEqual(leftoverChildren(), [], 'no child process survives the suite');
  });

  it('keeps the first and the last part of a large output, and says so', async () => {
    const env = pool.create({ file: fixture('big-record.js'), handlerExport: 'chatty', timeoutSeconds: 20 });
    const result = await env.invoke({ megabytes: 4 });
    assert.equal(result.response, 'done');
    assert.deepEqual(result.truncatedFields, ['logs']);
    assert.ok(result.logs.length < LOG_HEAD_CHARS + LOG_TAIL_CHARS + 4096, `logs of ${result.logs.length} characters`);
    assert.match(result.logs, /^START RequestId: .*\n\S+\t\S+\tINFO\tfirst line\n/);
    assert.match(result.logs, /\n\[Warm State cut \d+ characters of output here/);
    assert.match(result.logs, /\tINFO\tlast line\nEND RequestId: .*\nREPORT RequestId: /);
    const next = await env.invoke({ megabytes: 0 });
    assert.deepEqual(next.truncatedFields, [], 'a small output is whole');
  });

  it('cuts a 1 MB error message and keeps the environment warm', async () => {
    const env = pool.create({ file: fixture('big-record.js'), handlerExport: 'longError' });
    const result = await env.invoke({ length: 1024 * 1024 });
    assert.equal(result.reset, null);
    assert.equal(result.error?.errorType, 'Error');
    assert.equal(result.error?.errorMessage.length, RECORD_ERROR_LIMITS.messageChars);
    assert.ok(result.error?.trace.every((line) => line.length <= RECORD_ERROR_LIMITS.traceLineChars));
    assert.deepEqual(result.truncatedFields, ['error']);
    assert.ok(JSON.stringify(result).length < 512 * 1024, `a record of ${JSON.stringify(result).length} characters`);
  });

  it("fails a response over Lambda's 6 MiB payload limit with Function.ResponseSizeTooLarge, and passes one at the limit", async () => {
    const env = pool.create({ file: fixture('big-record.js'), handlerExport: 'sized' });
    const over = await env.invoke({ bytes: PAYLOAD_LIMIT_BYTES + 1 });
    assert.equal(over.response, null);
    assert.equal(over.error?.errorType, 'Function.ResponseSizeTooLarge');
    assert.equal(over.reset, null, 'the environment stays warm');
    const atLimit = await env.invoke({ bytes: PAYLOAD_LIMIT_BYTES });
    assert.equal(atLimit.cold, false);
    assert.equal(atLimit.error, null);
    assert.equal((atLimit.response as string).length, PAYLOAD_LIMIT_BYTES - 2);
  });

  it("gives Invoke's payload once (onPayload), the one the record gives, within the same limits", async () => {
    const chatty = pool.create({ file: fixture('big-record.js'), handlerExport: 'chatty', timeoutSeconds: 20 });
    const longError = pool.create({ file: fixture('big-record.js'), handlerExport: 'longError' });
    const sized = pool.create({ file: fixture('big-record.js'), handlerExport: 'sized' });
    const cases = [
      { env: chatty, event: { megabytes: 2 }, failed: false },
      { env: longError, event: { length: 1024 * 1024 }, failed: true },
      { env: sized, event: { bytes: PAYLOAD_LIMIT_BYTES + 1 }, failed: true },
      { env: sized, event: { bytes: 1000 }, failed: false },
      { env: pool.create({ file: fixture('big-record.js'), handlerExport: 'tricky' }), event: {}, failed: false },
      { env: pool.create({ file: fixture('big-record.js'), handlerExport: 'nothing' }), event: {}, failed: false },
    ];
    for (const { env, event, failed } of cases) {
      const early: EarlyPayload[] = [];
      const record = await env.invoke(event, { onPayload: (payload) => early.push(payload) });
      assert.equal(early.length, 1, `one early payload for ${JSON.stringify(event)}`);
      assert.equal(early[0].requestId, record.requestId);
      assert.equal(early[0].failed, failed);
      assert.equal(early[0].payload, limitOutcome(record.response, record.error).payload);
      if (failed) assert.equal(JSON.parse(early[0].payload).errorType, record.error?.errorType);
    }
  });

  it('answers with the text JSON.stringify made in the function, and records its parse', async () => {
    const env = pool.create({ file: fixture('big-record.js'), handlerExport: 'tricky' });
    const early: EarlyPayload[] = [];
    const record = await env.invoke({}, { onPayload: (payload) => early.push(payload) });
    // The fixture's own value, stringified here the way the runtime does it there: a regression
    // guard for the text (a parse and a second stringify give the same text for these values).
    const { tricky } = createRequire(__filename)(fixture('big-record.js')) as { tricky: () => Promise<unknown> };
    const expected = JSON.stringify(await tricky());
    assert.match(expected, /^\{"__proto__":\{"own":true\},"text":"café \u2028 \\"quoted\\" \\\\ \\ud800 \\u0000","numbers":\[0,1e\+21,/);
    assert.equal(early[0]?.payload, expected);
    assert.deepEqual(record.response, JSON.parse(expected));
    assert.ok(Object.hasOwn(record.response as object, '__proto__'), 'an own __proto__ key stays a key');
    const nothing = await pool.create({ file: fixture('big-record.js'), handlerExport: 'nothing' }).invoke({}, { onPayload: (payload) => early.push(payload) });
    assert.equal(early[1]?.payload, 'null');
    assert.equal(nothing.response, null);
  });

  it('gives the compact JSON of the value when the program replaced JSON.stringify, and a SerializationError when it gives no JSON', async () => {
    const early: EarlyPayload[] = [];
    const pretty = await pool.create({ file: fixture('big-record.js'), handlerExport: 'prettyStringify' }).invoke({}, { onPayload: (payload) => early.push(payload) });
    assert.equal(early[0]?.payload, '{"list":[1,2],"text":"a \\"b\\""}');
    assert.equal(early[0]?.payload, limitOutcome(pretty.response, pretty.error).payload, 'the same payload on the record path (log tail, Managed Instances)');
    const notJson = await pool.create({ file: fixture('big-record.js'), handlerExport: 'notJsonStringify' }).invoke({}, { onPayload: (payload) => early.push(payload) });
    assert.equal(notJson.error?.errorType, 'Runtime.SerializationError');
    assert.equal(notJson.response, null);
    assert.equal(early[1]?.failed, true);
    assert.equal(early[1]?.payload, limitOutcome(notJson.response, notJson.error).payload);
  });

  it('passes a response of quotes at the payload limit, twice its size once escaped in the message', async () => {
    const env = pool.create({ file: fixture('big-record.js'), handlerExport: 'quotes' });
    const early: EarlyPayload[] = [];
    const count = (PAYLOAD_LIMIT_BYTES - 2) / 2;
    const record = await env.invoke({ count }, { onPayload: (payload) => early.push(payload) });
    assert.equal(record.error, null);
    assert.equal(early[0]?.payload.length, PAYLOAD_LIMIT_BYTES);
    assert.equal(record.response, '"'.repeat(count));
  });
});
