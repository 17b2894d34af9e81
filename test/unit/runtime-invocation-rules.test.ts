/**
 * The pure rules of child/services: which handlers the 4.x client refuses at init, with which
 * message, and what a thrown value that is not an Error is reported as. The invocations
 * themselves run in real child processes (test/engine/runtime-invocation.test.ts).
 */
import assert from 'node:assert/strict';
import { toLambdaError } from '../../src/core/lambda/errors';
import { deprecatedCallbackError, type Handler } from '../../src/core/runtime/child/services/handler-invocation';
import { streamingMark } from '../../src/core/runtime/child/services/awslambda-global';

const withParameters = (count: number): Handler => new Function(...Array.from({ length: count }, (_, i) => `p${i}`), 'return 1;') as Handler;

describe('runtime invocation rules', () => {
  describe('deprecatedCallbackError (the 4.x client refuses callback handlers)', () => {
    it('refuses 3 or more parameters under 4.x, with the Node.js 24 message', () => {
      for (const count of [3, 4]) {
        const error = deprecatedCallbackError(withParameters(count), false, 4, 'AWS_Lambda_nodejs24.x');
        assert.equal(error?.errorType, 'Runtime.CallbackHandlerDeprecated');
        assert.match(error?.errorMessage ?? '', /starting with Node\.js 24\. You need to modify this function/);
      }
    });

    it('gives the Managed Instances message when AWS_EXECUTION_ENV is nodejs22.x', () => {
      const error = deprecatedCallbackError(withParameters(3), false, 4, 'AWS_Lambda_nodejs22.x');
      assert.match(error?.errorMessage ?? '', /^ERROR: AWS Lambda does not support callback-based function handlers when using Node\.js 22 with Managed Instances\./);
    });

    it('accepts fewer parameters, streaming handlers, and anything under 3.x', () => {
      assert.equal(deprecatedCallbackError(withParameters(2), false, 4, undefined), null);
      assert.equal(deprecatedCallbackError(withParameters(3), true, 4, undefined), null);
      assert.equal(deprecatedCallbackError(withParameters(3), false, 3, undefined), null);
    });
  });

  it("streamingMark: only 'response' streams; another mark is Runtime.MalformedStreamingHandler", () => {
    const key = Symbol.for('aws.lambda.runtime.handler.streaming');
    assert.equal(streamingMark(() => 1), false);
    assert.equal(streamingMark(Object.assign(() => 1, { [key]: 'response' })), true);
    assert.deepEqual(streamingMark(Object.assign(() => 1, { [key]: 'request' })), { errorType: 'Runtime.MalformedStreamingHandler', errorMessage: 'Only response streaming is supported.', trace: [] });
  });

  it('a thrown value that is not an Error: typeof and String(), or the clients\' fallback when it has no string form', () => {
    assert.deepEqual(toLambdaError({ code: 1 }), { errorType: 'object', errorMessage: '[object Object]', trace: [] });
    assert.deepEqual(toLambdaError(42), { errorType: 'number', errorMessage: '42', trace: [] });
    assert.deepEqual(toLambdaError(null), { errorType: 'object', errorMessage: 'null', trace: [] });
    assert.equal(toLambdaError(Object.create(null)).errorType, 'handled');
  });
});
