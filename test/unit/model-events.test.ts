import assert from 'node:assert/strict';
import { parseEvent, InvalidEventError, lineAndColumn, locateJsonError } from '../../src/core/events';

function refused(text: string): InvalidEventError {
  try {
    parseEvent(text, 'event.json');
  } catch (error) {
    assert.ok(error instanceof InvalidEventError, String(error));
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(text)}`);
}

describe('events: parseEvent', () => {
  it('parses any JSON value and ignores a byte-order mark', () => {
    assert.deepEqual(parseEvent('{"a": [1, true, null]}'), { a: [1, true, null] });
    assert.equal(parseEvent(' 42 '), 42);
    assert.equal(parseEvent('"x"'), 'x');
    assert.deepEqual(parseEvent('\ufeff{"b":1}'), { b: 1 });
  });
  it('refuses empty text', () => {
    const error = refused('  \n');
    assert.match(error.message, /event\.json is empty/);
  });
  it("refuses an event over Lambda's 6 MiB synchronous limit, counted as sent (compact JSON, UTF-8 bytes)", () => {
    const limit = 6 * 1024 * 1024;
    assert.equal((parseEvent(`"${'x'.repeat(limit - 2)}"`) as string).length, limit - 2);
    // Indented: larger on disk than the limit, within it as sent.
    assert.equal((parseEvent(`[\n${'  1,\n'.repeat(limit / 4)}  1\n]`) as number[]).length, limit / 4 + 1);
    // 3-byte characters: under the limit in characters, over it in bytes.
    const error = refused(`"${'€'.repeat(limit / 3)}"`);
    assert.match(error.message, /^event\.json is too large: 6291458 bytes as sent, and Lambda accepts at most 6291456 \(6 MiB\) in a synchronous invocation/);
  });
  it('names line and column of the first error', () => {
    const missingQuotes = refused('{\n  "a": 1,\n  b: 2\n}');
    assert.deepEqual([missingQuotes.line, missingQuotes.column], [3, 3]);
    assert.match(missingQuotes.message, /^event\.json is not valid JSON: .*property name.* at line 3, column 3$/);
    const trailing = refused('[1, 2,]');
    assert.deepEqual([trailing.line, trailing.column], [1, 7]);
    assert.match(trailing.message, /trailing comma/);
    const unclosed = refused('{"a": 1');
    assert.deepEqual([unclosed.line, unclosed.column], [1, 8]);
    const single = refused("{'a': 1}");
    assert.match(single.message, /property name in double quotes/);
    const after = refused('{} x');
    assert.match(after.message, /after the JSON value at line 1, column 4/);
    const word = refused('{"a": tru}');
    assert.deepEqual([word.line, word.column], [1, 7]);
  });
  it('the locator agrees with JSON.parse on what is valid', () => {
    for (const text of ['{"a":"\\u00e9\\n"}', '[-0.5e+3, 0, {}]', 'null']) {
      JSON.parse(text);
      assert.equal(locateJsonError(text).offset, text.length);
    }
    for (const text of ['01', '"\\x"', '"a\nb"', '-', '[1 2]', '{"a" 1}']) {
      assert.throws(() => JSON.parse(text));
      assert.ok(locateJsonError(text).offset < text.length, text);
    }
  });
  it('lineAndColumn counts from 1', () => {
    assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
    assert.deepEqual(lineAndColumn('ab', 0), { line: 1, column: 1 });
  });
});
