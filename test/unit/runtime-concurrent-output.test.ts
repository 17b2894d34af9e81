import assert from 'node:assert/strict';
import { ConcurrentOutput } from '../../src/core/runtime/concurrent-output';
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
});
