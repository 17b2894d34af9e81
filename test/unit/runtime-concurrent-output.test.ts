import assert from 'node:assert/strict';
import { ConcurrentOutput, PARTIAL_LINE_CHARS } from '../../src/core/runtime/concurrent-output';
import { LOG_HEAD_CHARS, LOG_TAIL_CHARS } from '../../src/core/lambda/limits';
import { outputMarker } from '../../src/core/runtime/protocol';

const json = (requestId: string, message: string) => `${JSON.stringify({ timestamp: '2026-12-03T00:00:00.000Z', level: 'INFO', requestId, message })}\n`;

describe('runtime: the output of invocations in flight at once', () => {
  it('gives each line to the invocation it names, continuation lines to the line before, the rest to the next record', async () => {
    const output = new ConcurrentOutput();
    output.push('stdout', 'loaded the module\n');
    output.open('a');
    output.open('b');
    output.push('stdout', json('a', 'one') + json('b', 'two').slice(0, 20));
    output.push('stdout', json('b', 'two').slice(20) + '2026-12-03T00:00:00.000Z\ta\tINFO\ttext line\nits second line\n');
    output.push('stderr', json('b', 'on stderr'));
    const a = output.take('a');
    assert.equal(a.text, `loaded the module\n${json('a', 'one')}2026-12-03T00:00:00.000Z\ta\tINFO\ttext line\nits second line\n`, 'the shared text goes to the first record taken');
    assert.equal(output.take('b').text, json('b', 'two') + json('b', 'on stderr'));
    assert.equal(a.cut, false);
  });

  it('resolves waitFor once both end markers of the invocation arrived, and strips them', async () => {
    const output = new ConcurrentOutput();
    output.open('a');
    let done = false;
    const waiting = output.waitFor('a', 5000).then(() => (done = true));
    output.push('stdout', json('a', 'x') + outputMarker('a'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'one stream is not enough');
    output.push('stderr', outputMarker('a'));
    await waiting;
    assert.equal(output.take('a').text, json('a', 'x'));
  });

  it('does not give a line to an id that is not in flight: it is shared text', () => {
    const output = new ConcurrentOutput();
    output.open('a');
    output.push('stdout', json('forged', 'not yours'));
    assert.equal(output.take('a').text, json('forged', 'not yours'));
  });

  it('holds no more of a line without its newline than a piece: the rest is passed on where its start went, bounded', () => {
    const output = new ConcurrentOutput();
    output.open('a');
    output.open('b');
    const start = '2026-12-03T00:00:00.000Z\ta\tINFO\t';
    output.push('stdout', start);
    const chunk = 'x'.repeat(PARTIAL_LINE_CHARS / 2);
    // 6 MB of one line not finished yet, with what looks like b's line start where a piece begins: still a's line.
    for (let i = 0; i < 96; i++) output.push('stdout', i === 10 ? json('b', 'not a line start').slice(0, -1) + chunk : chunk);
    assert.equal(output.take('b').text, '');
    const a = output.take('a');
    assert.equal(a.cut, true, 'what arrived is in the record already, its middle cut');
    assert.ok(a.text.startsWith(start + 'xxx'));
    assert.ok(a.text.length < LOG_HEAD_CHARS + LOG_TAIL_CHARS + 200, `${a.text.length} characters`);
    assert.ok(a.text.length > LOG_HEAD_CHARS + LOG_TAIL_CHARS - PARTIAL_LINE_CHARS, 'no more than a piece held back');
  });

  it('never splits an end marker that is still arriving when a long line is passed on, wherever its chunk ended', async () => {
    const marker = outputMarker('a');
    // Within the prefix (after 1 and 3 of its 4 characters), at its end, and in the request id.
    for (const split of [1, 3, 4, 10]) {
      const output = new ConcurrentOutput();
      output.open('a');
      output.push('stdout', json('a', 'x').slice(0, -1) + 'y'.repeat(PARTIAL_LINE_CHARS) + marker.slice(0, split));
      output.push('stdout', marker.slice(split));
      output.push('stderr', marker);
      let ended = false;
      await Promise.race([output.waitFor('a', 5000).then(() => (ended = true)), new Promise((resolve) => setTimeout(resolve, 50))]);
      assert.equal(ended, true, `split after ${split}: both markers recognised`);
      const { text } = output.take('a');
      assert.ok(!text.includes('\u0000'), `split after ${split}: the marker was stripped`);
      assert.ok(text.endsWith('y'));
    }
  });

  it("ends a line passed on in pieces with its newline, and gives the next line to the id it names", () => {
    const output = new ConcurrentOutput();
    output.open('a');
    output.open('b');
    const start = json('a', 'long').slice(0, -1);
    output.push('stdout', start + 'y'.repeat(PARTIAL_LINE_CHARS + 1));
    output.push('stdout', '\n');
    output.push('stdout', json('b', 'mine'));
    output.push('stdout', json('a', 'next'));
    assert.equal(output.take('b').text, json('b', 'mine'));
    assert.equal(output.take('a').text, `${start}${'y'.repeat(PARTIAL_LINE_CHARS + 1)}\n${json('a', 'next')}`);
  });
});
