import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, COMMAND, EXTENSION_ID, openInEditor } from './support';

describe('activation and contributions', () => {
  it('activates when a JavaScript file opens and returns the test API', async () => {
    await openInEditor('freeze-demo/handler.js');
    const api = await activateExtension();
    for (const method of ['history', 'environmentStatus', 'lastPanelState', 'hasPanel'] as const) {
      assert.equal(typeof api[method], 'function', `testApi.${method}`);
    }
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
  });

  it('registers every user-facing command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = Object.values(COMMAND).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('contributes each command to the palette with the Warm State category', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes?: { commands?: { command: string; category?: string; title: string }[] } };
    const contributed = new Map((manifest.contributes?.commands ?? []).map((entry) => [entry.command, entry]));
    for (const id of Object.values(COMMAND)) {
      const entry = contributed.get(id);
      assert.ok(entry, `${id} is not in contributes.commands`);
      assert.equal(entry.category, 'Warm State', `${id} category`);
    }
    assert.equal(contributed.get(COMMAND.invokeWarm)?.title, 'Invoke Warm');
  });
});
