/** HeadTailText: a process's output kept at a bounded size, its first and last characters, the cut said where it was. */
import assert from 'node:assert/strict';
import { HeadTailText } from '../../src/core/runtime/head-tail-text';
import { logCutLine } from '../../src/core/lambda/limits';

describe('HeadTailText', () => {
  it('keeps all of a text within its bounds, as it arrived', () => {
    const text = new HeadTailText({ headChars: 10, tailChars: 10 });
    for (const chunk of ['abc', 'defgh', 'ijklmnop', 'qrst']) text.push(chunk);
    assert.deepEqual(text.take(), { text: 'abcdefghijklmnopqrst', cutChars: 0 });
  });

  it('keeps the first and last characters of more, and says how much was cut between them', () => {
    const text = new HeadTailText({ headChars: 4, tailChars: 5 });
    for (const chunk of ['ab', 'cdef', 'ghij', 'klm', 'nopq']) text.push(chunk);
    // 17 characters: 'abcd' kept, 'efghijkl' (8) cut, 'mnopq' kept.
    assert.deepEqual(text.take(), { text: `abcd${logCutLine(8)}mnopq`, cutChars: 8 });
  });

  it('is empty again once taken, with a fresh budget', () => {
    const text = new HeadTailText({ headChars: 2, tailChars: 2 });
    text.push('0123456789');
    assert.equal(text.take().cutChars, 6);
    text.push('xyz');
    assert.deepEqual(text.take(), { text: 'xyz', cutChars: 0 });
    assert.deepEqual(text.take(), { text: '', cutChars: 0 });
  });

  it('holds a million one-character chunks at its bound, keeping the newest', () => {
    const text = new HeadTailText({ headChars: 3, tailChars: 3 });
    for (let i = 0; i < 1_000_000; i++) text.push(String(i % 10));
    assert.deepEqual(text.take(), { text: `012${logCutLine(999_994)}789`, cutChars: 999_994 });
  });

  it('never leaves half a surrogate pair beside the cut', () => {
    const text = new HeadTailText({ headChars: 3, tailChars: 3 });
    // 'ab' + the first half of 😀 fill the head; the tail begins with the second half of another.
    text.push('ab😀-cut-😀yz');
    const { text: kept, cutChars } = text.take();
    assert.equal(kept, `ab${logCutLine(cutChars)}yz`);
    assert.equal(cutChars, '😀-cut-😀'.length);
  });
});
