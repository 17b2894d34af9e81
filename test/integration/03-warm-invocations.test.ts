import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/model/snapshot';
import type { PanelState } from '../../src/webview-protocol/panel';
import type { WarmStateTestApi } from '../../src/vscode/test-api';
import { activateExtension, arrayItems, COMMAND, openInEditor, variable, waitFor, workspaceUri } from './support';

/**
 * The scenario the product exists for (DESIGN.md section 1): three warm invocations of the
 * 2016 freeze demo. Module scope keeps arrayB growing, arrayA is reset by the handler,
 * handler-scope arrays are new each time.
 */
describe('Invoke Warm on the motivating example', () => {
  const file = workspaceUri('freeze-demo/handler.js').toString();
  const exportName = 'test';
  let api: WarmStateTestApi;

  before(async () => {
    api = await activateExtension();
    await openInEditor('freeze-demo/handler.js');
    // A clean start whatever ran before: the first invocation below must be cold.
    await vscode.commands.executeCommand(COMMAND.resetEnvironment, file, exportName);
  });

  after(async () => {
    await vscode.commands.executeCommand(COMMAND.resetEnvironment, file, exportName);
  });

  async function invoke(command: string): Promise<InvocationRecord> {
    const record = await vscode.commands.executeCommand<InvocationRecord | undefined>(command, file, exportName);
    assert.ok(record, `${command} resolved to no record (nothing ran)`);
    assert.equal(record.error, null, `the handler failed: ${JSON.stringify(record.error)}`);
    return record;
  }

  /** The panel's latest state once it shows `invocation` (the panel renders after a ready handshake). */
  function panelStateAt(invocation: number): Promise<PanelState> {
    return waitFor(`the panel to be given invocation ${invocation}`, () => {
      const state = api.lastPanelState(file, exportName);
      return state?.selected?.invocation === invocation ? state : undefined;
    });
  }

  const records: InvocationRecord[] = [];

  it('runs three warm invocations: the first cold, the next two warm in the same environment', async () => {
    await vscode.commands.executeCommand(COMMAND.showPanel, file, exportName);
    for (let i = 0; i < 3; i++) records.push(await invoke(COMMAND.invokeWarm));
    assert.deepEqual(records.map((record) => record.cold), [true, false, false]);
    assert.equal(new Set(records.map((record) => record.generation)).size, 1, 'one environment served all three');
    assert.equal(records[0].initDurationMs !== null, true, 'Init Duration on the cold start');
    assert.equal(records[1].initDurationMs, null);
    assert.ok(records.every((record) => record.source === 'local'));
    // The workspace's warmState.runtime pins the 3.x client (workspace/.vscode/settings.json).
    assert.deepEqual([records[0].runtime, records[0].runtimeSource], ['nodejs20.x', 'setting']);
    const history = api.history(file, exportName);
    assert.deepEqual(history.slice(-3).map((record) => record.requestId), records.map((record) => record.requestId));
  });

  it('captures module scope: arrayB keeps 1, 2, 3 items, arrayA is empty each time', () => {
    assert.equal(records.length, 3, 'needs the invocations of the previous test');
    records.forEach((record, index) => {
      assert.deepEqual(arrayItems(variable(record.moduleScope, 'arrayB').value), Array(index + 1).fill('B'), `arrayB after invocation ${index + 1}`);
      assert.deepEqual(arrayItems(variable(record.moduleScope, 'arrayA').value), [], `arrayA after invocation ${index + 1}`);
    });
    assert.ok(!records[0].moduleScope.some((entry) => entry.name === 'arrayC' || entry.name === 'arrayD'), 'handler locals are not module scope');
  });

  it('captures handler scope: arrayC empty, arrayD one item, on every invocation', () => {
    assert.equal(records.length, 3, 'needs the invocations of the first test');
    for (const record of records) {
      assert.deepEqual(arrayItems(variable(record.handlerScope, 'arrayC').value), []);
      assert.deepEqual(arrayItems(variable(record.handlerScope, 'arrayD').value), ['D']);
      assert.ok(!record.handlerScope.some((entry) => entry.name === 'arrayB'), 'module variables are not handler scope');
    }
  });

  it('flags arrayB as growing over its three sizes, and nothing else', () => {
    const last = records[2];
    const arrayB = variable(last.moduleScope, 'arrayB');
    assert.equal(arrayB.growing, true);
    // The series holds the variable's size at each invocation of this warm run. A size is the
    // contract's SizeMeasure (array length plus the sizes nested inside: ['B'] measures 2),
    // so it is checked against each record's own size and for growth, not as item counts
    // (those are checked above: 1, 2, 3 items).
    const sizes = records.map((record) => variable(record.moduleScope, 'arrayB').size);
    assert.deepEqual(arrayB.sizeSeries, sizes);
    assert.ok(sizes[0] < sizes[1] && sizes[1] < sizes[2], `sizes grow: ${sizes.join(', ')}`);
    assert.equal(variable(last.moduleScope, 'arrayA').growing, false);
    assert.deepEqual(last.growing, ['arrayB']);
    assert.equal(variable(records[0].moduleScope, 'arrayB').growing, false, 'one invocation is no trend');
  });

  it('gives the panel the latest invocation, its timeline and the growth series', async () => {
    const state = await panelStateAt(records[2].invocation);
    assert.equal(state.handler.exportName, exportName);
    assert.equal(state.selected?.requestId, records[2].requestId);
    assert.deepEqual(arrayItems(variable(state.selected?.moduleScope ?? [], 'arrayB').value), ['B', 'B', 'B']);
    assert.deepEqual(arrayItems(variable(state.selected?.handlerScope ?? [], 'arrayD').value), ['D']);
    assert.deepEqual(state.timeline.slice(-3).map((entry) => entry.cold), [true, false, false]);
    const sizes = records.map((record) => variable(record.moduleScope, 'arrayB').size);
    assert.deepEqual(state.growth.map((series) => [series.name, series.sizeSeries]), [['arrayB', sizes]]);
    assert.equal(state.environment.state, 'warm');
    assert.equal(api.hasPanel(file, exportName), true);
  });

  it('Cold Start replaces the environment: module state is gone', async () => {
    const cold = await invoke(COMMAND.invokeCold);
    assert.equal(cold.cold, true);
    assert.ok(cold.generation > records[2].generation, 'a new environment generation');
    assert.deepEqual(arrayItems(variable(cold.moduleScope, 'arrayB').value), ['B']);
    assert.equal(variable(cold.moduleScope, 'arrayB').growing, false);
    const state = await panelStateAt(cold.invocation);
    assert.equal(state.selected?.cold, true);
    assert.deepEqual(state.growth, []);
  });

  it('Reset ends the environment; the next Invoke Warm is cold', async () => {
    await vscode.commands.executeCommand(COMMAND.resetEnvironment, file, exportName);
    const status = await waitFor('the environment to be cold after reset', () => {
      const current = api.environmentStatus(file, exportName);
      return current?.state === 'cold' ? current : undefined;
    });
    assert.equal(status.warmInvocations, 0);
    const next = await invoke(COMMAND.invokeWarm);
    assert.equal(next.cold, true);
    assert.deepEqual(arrayItems(variable(next.moduleScope, 'arrayB').value), ['B']);
  });
});
