/**
 * Human CLI output never replays control characters from user code (issue 14, defect 9): an OSC
 * title sequence, a clear screen, colours or a C1 CSI in logs, errors, values or names become
 * visible escapes; only newline and tab pass, plus the CLI's own colours.
 */
import assert from 'node:assert/strict';
import { renderInvocation } from '../../src/cli/render';
import { terminalSafe } from '../../src/cli/terminal-text';
import type { InvocationRecord, ValueNode } from '../../src/core/model/snapshot';

const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const C1_CSI = '\u009b31m';
const HOSTILE = `${TITLE}${CLEAR}\u001b[31m${C1_CSI}\r`;
/** Any control character but newline and tab. */
// eslint-disable-next-line no-control-regex -- the characters under test
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const str = (value: string): ValueNode => ({ type: 'string', value, length: value.length, truncated: false });

function hostileRecord(): InvocationRecord {
  return {
    invocation: 1, source: 'local', cold: true, requestId: 'req-1', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, billedDurationMs: 1,
    initDurationMs: 5, memorySizeMB: 128, maxMemoryUsedMB: 60, response: { text: HOSTILE },
    error: { errorType: `Error${CLEAR}`, errorMessage: `bad ${TITLE}`, trace: [`Error: bad ${TITLE}`, `    at handler (${CLEAR}/h.js:1:1)`] },
    logs: `START RequestId: req-1 Version: $LATEST\n2026-01-01T00:00:00.000Z\treq-1\tINFO\tlog ${HOSTILE}\nEND RequestId: req-1\n`,
    moduleScope: [{ name: 'cache', kind: 'var', value: { type: 'object', className: 'Object', properties: [{ name: `k${C1_CSI}`, value: str(HOSTILE) }], truncated: false }, change: 'added', size: 1, growing: true, sizeSeries: [1, 2, 3] }],
    handlerScope: [{ name: 'err', kind: 'local', value: { type: 'error', className: 'Error', message: `m ${TITLE}`, stack: null }, change: 'added' }],
    parameters: [{ name: 'event', kind: 'parameter', value: str(CLEAR), change: 'added' }],
    memory: null, reset: null, captureError: `capture ${CLEAR}`, runtimeVersion: `v20${TITLE}`, generation: 1, growing: ['cache'],
  };
}

describe('cli: terminal-safe human output', () => {
  it('shows control characters as visible escapes, newline and tab kept', () => {
    assert.equal(terminalSafe(`a${TITLE}b\n\tc${C1_CSI}\u007f`), 'a\\u001b]0;pwned\\u0007b\n\tc\\u009b31m\\u007f');
    assert.equal(terminalSafe('plain · ünïcode ✓'), 'plain · ünïcode ✓');
  });

  it('renders a record full of escape sequences with none of them live', () => {
    for (const width of [160, 60]) {
      const text = renderInvocation(hostileRecord(), { width, color: false });
      assert.ok(!CONTROL.test(text), `a control character reached the terminal: ${JSON.stringify(text)}`);
      assert.ok(text.includes('log \\u001b]0;pwned\\u0007\\u001b[2J\\u001b[H\\u001b[31m\\u009b31m\\u000d'), text);
      assert.ok(text.includes('bad \\u001b]0;pwned'), 'the error message, visibly');
    }
  });

  it('with colour on, the only escapes are the CLI\'s own colour codes', () => {
    const text = renderInvocation(hostileRecord(), { width: 160, color: true });
    // eslint-disable-next-line no-control-regex -- removing our own SGR codes
    const withoutOurColours = text.replace(/\u001b\[\d+m/g, '');
    assert.ok(!CONTROL.test(withoutOurColours), JSON.stringify(withoutOurColours));
    assert.ok(!text.includes('\u001b[2J') && !text.includes('\u001b]0;'));
  });
});
