import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InvocationRecord } from '../../src/core/model/snapshot';
import { activateExtension, COMMAND, openInEditor, variable, workspaceUri } from './support';

describe('other handlers', () => {
  before(activateExtension);

  it('a handler that throws reports the error and its environment stays warm', async () => {
    await openInEditor('throws/handler.js');
    const file = workspaceUri('throws/handler.js').toString();
    try {
      const first = await vscode.commands.executeCommand<InvocationRecord | undefined>(COMMAND.invokeWarm, file, 'handler');
      const second = await vscode.commands.executeCommand<InvocationRecord | undefined>(COMMAND.invokeWarm, file, 'handler');
      assert.ok(first && second, 'both invocations produced a record');
      assert.equal(first.error?.errorMessage, 'failure number 1');
      assert.equal(second.error?.errorMessage, 'failure number 2');
      assert.equal(second.cold, false, 'an error inside the handler keeps the environment warm');
      assert.equal(second.reset, null);
      const failures = variable(second.moduleScope, 'failures').value;
      assert.deepEqual(failures, { type: 'number', value: 2 });
    } finally {
      await vscode.commands.executeCommand(COMMAND.resetEnvironment, file, 'handler');
    }
  });

  it('runs a TypeScript async handler and returns its response', async () => {
    await openInEditor('ts-handlers/app.ts');
    const file = workspaceUri('ts-handlers/app.ts').toString();
    try {
      const record = await vscode.commands.executeCommand<InvocationRecord | undefined>(COMMAND.invokeWarm, file, 'handler');
      assert.ok(record, 'a record');
      assert.equal(record.error, null, JSON.stringify(record.error));
      assert.deepEqual(record.response, { hello: 'world' });
    } finally {
      await vscode.commands.executeCommand(COMMAND.resetEnvironment, file, 'handler');
    }
  });
});
