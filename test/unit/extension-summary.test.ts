import { strict as assert } from 'node:assert';
import type { EnvironmentStatus } from '../../src/core/runtime/environment-api';
import { growingText, lensSummary, statusBarText } from '../../src/vscode/summary-text';

function status(overrides: Partial<EnvironmentStatus>): EnvironmentStatus {
  return { state: 'warm', frozen: true, warmInvocations: 3, generation: 1, nodeVersion: 'v20.11.1', lastReset: null, ...overrides };
}

describe('extension: CodeLens summary', () => {
  it('says nothing before the first invocation', () => {
    assert.equal(lensSummary({ status: undefined, growing: [], historyCount: 0 }), undefined);
    assert.equal(lensSummary({ status: status({ state: 'cold', warmInvocations: 0, generation: 0 }), growing: [], historyCount: 0 }), undefined);
  });

  it('reads like the issue once warm: state, count, growing variables', () => {
    assert.equal(lensSummary({ status: status({ frozen: false }), growing: ['arrayB'], historyCount: 3 }), 'warm · 3 invocations · arrayB growing');
    assert.equal(lensSummary({ status: status({ warmInvocations: 1 }), growing: [], historyCount: 1 }), 'warm (frozen) · 1 invocation');
  });

  it('names the reset after an environment ended', () => {
    assert.equal(lensSummary({ status: status({ state: 'cold', warmInvocations: 0, lastReset: 'timeout' }), growing: [], historyCount: 4 }), 'cold · last reset: timeout');
  });

  it('shows activity while starting or invoking', () => {
    assert.equal(lensSummary({ status: status({ state: 'initializing', warmInvocations: 0 }), growing: [], historyCount: 0 }), 'starting…');
    assert.equal(lensSummary({ status: status({ state: 'invoking', warmInvocations: 2 }), growing: [], historyCount: 2 }), 'invoking · 2 invocations so far');
  });

  it('keeps long growing lists short', () => {
    assert.equal(growingText([]), undefined);
    assert.equal(growingText(['a', 'b']), 'a, b growing');
    assert.equal(growingText(['a', 'b', 'c']), 'a +2 more growing');
  });
});

describe('extension: status bar text', () => {
  it('shows cold before any environment', () => {
    assert.equal(statusBarText('test', undefined).text, '$(circle-outline) test: cold');
  });

  it('distinguishes frozen and warm and counts invocations', () => {
    assert.equal(statusBarText('test', status({})).text, '$(flame) test: frozen · 3');
    assert.equal(statusBarText('test', status({ frozen: false })).text, '$(flame) test: warm · 3');
    assert.match(statusBarText('test', status({})).tooltip, /3 invocations.*Node v20\.11\.1/);
  });

  it('explains a reset in the tooltip', () => {
    const text = statusBarText('test', status({ state: 'cold', warmInvocations: 0, lastReset: 'out-of-memory' }));
    assert.equal(text.text, '$(circle-outline) test: cold');
    assert.match(text.tooltip, /last reset: out-of-memory/);
  });
});
