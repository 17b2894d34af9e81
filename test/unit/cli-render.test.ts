import assert from 'node:assert/strict';
import { renderInvocation, growthLine, invokeSummary, legend, TWO_COLUMN_MIN_WIDTH } from '../../src/cli/render';
import { growingVariables } from '../../src/cli/run-local';
import type { InvocationRecord, ModuleVariable, ValueNode } from '../../src/core/model/snapshot';

const ESC = '\u001b';
const arr = (...items: string[]): ValueNode => ({ type: 'array', className: 'Array', length: items.length, items: items.map((value) => ({ type: 'string', value, length: value.length, truncated: false })), truncated: false });
// The fixtures hold one-letter strings: an item adds 2 to the size measure (docs/snapshot-format.md).
const moduleVar = (name: string, value: ValueNode, change: ModuleVariable['change'], series: number[], growing = false): ModuleVariable => ({ name, kind: 'var', value, change, size: series[series.length - 1], growing, sizeSeries: series, itemSeries: series.map((size) => size / 2) });

function scenarioRecord(): InvocationRecord {
  return {
    invocation: 3, source: 'local', cold: false, requestId: 'req-3', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1.5, billedDurationMs: 2,
    initDurationMs: null, memorySizeMB: 128, maxMemoryUsedMB: 60, response: null, error: null,
    logs: "START RequestId: req-3 Version: $LATEST\n2026-01-01T00:00:00.000Z\treq-3\tINFO\tArray B: [ 'B', 'B', 'B' ]\nEND RequestId: req-3\nREPORT RequestId: req-3\tDuration: 1.50 ms\n",
    moduleScope: [moduleVar('arrayA', arr(), 'unchanged', [0, 0, 0]), moduleVar('arrayB', arr('B', 'B', 'B'), 'changed', [2, 4, 6], true)],
    handlerScope: [
      { name: 'arrayC', kind: 'local', value: arr(), change: 'unchanged' },
      { name: 'arrayD', kind: 'local', value: arr('D'), change: 'unchanged' },
    ],
    parameters: [{ name: 'event', kind: 'parameter', value: { type: 'object', className: 'Object', properties: [], truncated: false }, change: 'unchanged' }],
    memory: { rssBytes: 1, heapUsedBytes: 1 }, reset: null, captureError: null, runtimeVersion: 'v20.0.0', generation: 1, growing: ['arrayB'],
  };
}

describe('cli: renderInvocation', () => {
  it('puts module scope beside handler scope on a wide terminal', () => {
    const text = renderInvocation(scenarioRecord(), { width: 120, color: false });
    const lines = text.split('\n');
    assert.match(lines[0], /Invocation 3 · warm · 1\.5 ms · 60 MB max · heap 0\.0 MB/);
    const row = (name: string) => lines.find((l) => l.includes(name)) ?? '';
    assert.match(row('MODULE SCOPE'), /MODULE SCOPE.*│ HANDLER SCOPE/);
    assert.match(row('arrayA'), /^· arrayA\s+\[\]\s+│ · arrayC\s+\[\]$/);
    assert.match(row('arrayB'), /^~ arrayB\s+\[ 'B', 'B', 'B' \] {2}⚠ growing\s+│ · arrayD\s+\[ 'D' \]$/);
    assert.ok(lines.every((l) => l.length <= 120), 'no line wider than the terminal');
    assert.match(text, /Array B: \[ 'B', 'B', 'B' \]/, 'logs are shown');
    assert.match(text, /^REPORT RequestId: req-3 {2}Duration: 1\.50 ms$/m, 'the REPORT line is shown, tabs as two spaces');
    assert.match(text, /parameters: event = \{\}/);
    assert.match(text, /^← response null$/m);
    const answered = renderInvocation({ ...scenarioRecord(), response: { items: Array(100).fill('x') } }, { width: 60, color: false });
    assert.match(answered, /^← response \{"items":\["x","x",.*…$/m);
    assert.equal(answered.split('\n').find((l) => l.startsWith('← response'))?.length, 60);
    assert.match(text, /⚠ arrayB keeps growing: 3 items, \+1 per invocation \(now Array\(3\); size 2 → 4 → 6 over 3 invocations of one environment\)/);
    assert.ok(!text.includes(ESC), 'no colour codes when colour is off');
  });
  it('stacks the scopes on a narrow terminal', () => {
    const text = renderInvocation(scenarioRecord(), { width: TWO_COLUMN_MIN_WIDTH - 20, color: false });
    assert.doesNotMatch(text, /│/);
    const lines = text.split('\n');
    const moduleAt = lines.findIndex((l) => l.startsWith('MODULE SCOPE'));
    const handlerAt = lines.findIndex((l) => l.startsWith('HANDLER SCOPE'));
    assert.ok(moduleAt > 0 && handlerAt > moduleAt);
    assert.ok(lines.findIndex((l) => l.includes('arrayB')) < handlerAt);
    assert.ok(lines.findIndex((l) => l.includes('arrayD')) > handlerAt);
  });
  it('colours only when asked', () => {
    const text = renderInvocation(scenarioRecord(), { width: 120, color: true });
    assert.ok(text.includes(`${ESC}[31m`));
    assert.ok(legend({ width: 80, color: true }).includes(`${ESC}[32m+`));
    assert.ok(!legend({ width: 80, color: false }).includes(ESC));
  });
  it('names the runtime profile and the node that ran on a cold start', () => {
    const cold = { ...scenarioRecord(), cold: true, runtime: 'nodejs22.x' as const, runtimeSource: 'template' as const, nodeMismatch: null };
    assert.match(renderInvocation(cold, { width: 120, color: false }).split('\n')[0], /Invocation 3 · cold start · nodejs22\.x on node v20\.0\.0 · 1\.5 ms/);
    const older = { ...scenarioRecord(), cold: true };
    assert.match(renderInvocation(older, { width: 120, color: false }).split('\n')[0], /cold start · node v20\.0\.0 · /, 'a record without a profile (an older version saved it)');
  });
  it('shows errors, resets and missing captures', () => {
    const record = {
      ...scenarioRecord(), error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds', trace: [] },
      reset: 'timeout' as const, captureError: 'the environment ended', moduleScope: [], handlerScope: [], parameters: [], growing: [],
    };
    const text = renderInvocation(record, { width: 120, color: false });
    assert.match(text, /✗ Sandbox\.Timedout: Task timed out after 1\.00 seconds/);
    assert.match(text, /environment reset \(timeout\).*next invocation is a cold start/);
    assert.match(text, /scopes not captured: the environment ended/);
    assert.doesNotMatch(text, /MODULE SCOPE/);
    assert.doesNotMatch(text, /response/, 'no response line for a failed invocation');
    assert.doesNotMatch(text, /hint:/, 'no hint for an error that has none');
  });
  it('says when Max Memory Used is over the memory size, which Lambda would not have survived', () => {
    const over = renderInvocation({ ...scenarioRecord(), maxMemoryUsedMB: 248, memorySizeMB: 128 }, { width: 120, color: false });
    assert.match(over, /^memory: Max Memory Used 248 MB is over the 128 MB memory size: on Lambda this environment would have run out of memory/m);
    assert.doesNotMatch(renderInvocation({ ...scenarioRecord(), maxMemoryUsedMB: 128, memorySizeMB: 128 }, { width: 120, color: false }), /over the .* memory size/);
    assert.doesNotMatch(renderInvocation({ ...scenarioRecord(), source: 'deployed' as const, maxMemoryUsedMB: 248, memorySizeMB: 128 }, { width: 120, color: false }), /over the .* memory size/, 'a deployed function\'s memory was enforced where it ran');
  });
  it('says under an error for a missing AWS SDK v3 package that Lambda provides it, for require() and import() alike', () => {
    const missing = (errorType: string, errorMessage: string) =>
      renderInvocation({ ...scenarioRecord(), error: { errorType, errorMessage, trace: [] }, reset: 'init-error' as const }, { width: 120, color: false });
    const required = missing('Runtime.ImportModuleError', "Error: Cannot find module '@aws-sdk/client-dynamodb'\nRequire stack:\n- /var/task/index.js");
    assert.match(required, /✗ Runtime\.ImportModuleError: Error: Cannot find module '@aws-sdk\/client-dynamodb'/, 'the error as the runtime reports it');
    assert.match(required, /hint: Lambda's Node\.js runtimes include the AWS SDK for JavaScript v3.*npm install --save-dev @aws-sdk\/client-dynamodb$/m);
    const imported = missing('Error', "Cannot find package '@aws-sdk/client-s3' imported from /var/task/index.mjs");
    assert.match(imported, /npm install --save-dev @aws-sdk\/client-s3$/m);
    assert.doesNotMatch(missing('Runtime.ImportModuleError', "Error: Cannot find module 'left-pad'"), /hint:/, 'any other package is the project\'s own');
  });
  it('check judges growth at the last captured invocation', () => {
    const early = scenarioRecord();
    const later = { ...scenarioRecord(), invocation: 4, moduleScope: [moduleVar('arrayB', arr('B', 'B', 'B', 'B'), 'changed', [2, 4, 6, 8], true)] };
    const crashed = { ...scenarioRecord(), invocation: 5, moduleScope: [], handlerScope: [], reset: 'crashed' as const, captureError: 'ended' };
    const growing = growingVariables([early, later, crashed]);
    assert.deepEqual(growing.map((v) => [v.name, v.sizeSeries]), [['arrayB', [2, 4, 6, 8]]]);
    const settled = { ...scenarioRecord(), invocation: 5, moduleScope: [moduleVar('arrayB', arr('B', 'B', 'B', 'B'), 'unchanged', [2, 4, 6, 8, 8])] };
    assert.deepEqual(growingVariables([early, later, settled]), [], 'growth that stopped is not reported');
    assert.equal(growthLine(growing[0]), '⚠ arrayB keeps growing: 4 items, +1 per invocation (now Array(4); size 2 → 4 → 6 → 8 over 4 invocations of one environment)');
  });
  it('check and invoke judge growth per environment: the last record of another environment hides nothing', () => {
    // Environment 0 grows; environment 1, which ran last, does not.
    const grows = { ...scenarioRecord(), invocation: 3, environment: 0 };
    const steady = { ...scenarioRecord(), invocation: 4, environment: 1, moduleScope: [moduleVar('arrayB', arr('B'), 'unchanged', [2, 2, 2])], growing: [] };
    assert.deepEqual(growingVariables([grows, steady]).map((v) => [v.name, v.environment]), [['arrayB', 0]]);
    assert.equal(invokeSummary([grows, steady], { width: 120, color: false }), '1 module-scope variable keeps growing: arrayB (environment 0)');
    const bothGrow = { ...grows, invocation: 5, environment: 1 };
    assert.deepEqual(growingVariables([grows, steady, bothGrow]).map((v) => [v.name, v.environment]), [['arrayB', 0], ['arrayB', 1]]);
    assert.equal(invokeSummary([grows], { width: 120, color: false }), '1 module-scope variable keeps growing: arrayB', 'one environment: no environment named');
  });
  it('names the environment in the header when several run at once', () => {
    const record = { ...scenarioRecord(), environment: 2 };
    assert.match(renderInvocation(record, { width: 120, color: false, showEnvironment: true }).split('\n')[0], /Invocation 3 · environment 2 · warm · /);
    assert.doesNotMatch(renderInvocation(record, { width: 120, color: false }).split('\n')[0], /environment/);
  });
});
