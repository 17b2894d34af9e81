/**
 * The extension activated in plain Node (fake `vscode`, test/unit/fake-vscode.ts): it
 * registers its commands only through the command table, and `deactivate` awaits what must
 * end with the extension host: here the local endpoint's environment process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fake } from '../unit/fake-vscode';
import { isRunning } from './environment-helpers';
import * as vscode from 'vscode';
import { activate, deactivate } from '../../src/extension';
import { commandId } from '../../src/vscode/command-ids';
import { COMMAND_TABLE, type CommandName } from '../../src/vscode/command-registry';

/** The endpoint checks the shape of a SigV4 header (no principal is configured, so not the signature). */
const SIGNED = `AWS4-HMAC-SHA256 Credential=AKIAWARMSTATETEST/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;

function memento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return { keys: () => [...values.keys()], get: <T>(key: string) => values.get(key) as T, update: async (key, value) => void values.set(key, value) } as vscode.Memento;
}

describe('extension: activation and deactivation', function () {
  this.timeout(30000);
  let dir: string;
  let context: vscode.ExtensionContext;

  beforeEach(() => {
    fake.reset();
    fake.settings['warmState.localEndpoint.port'] = 0;
    dir = mkdtempSync(join(tmpdir(), 'warm-state-lifecycle-'));
    writeFileSync(join(dir, 'pid.js'), 'module.exports.handler = async () => ({ pid: process.pid });\n');
    const extensionUri = vscode.Uri.file(join(__dirname, '..', '..'));
    context = { subscriptions: [], workspaceState: memento(), globalState: memento(), extensionUri, storageUri: undefined, extensionMode: 3 } as unknown as vscode.ExtensionContext;
    activate(context);
  });

  afterEach(async () => {
    await deactivate();
    for (const subscription of context.subscriptions) subscription.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers exactly the commands of the table', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), (Object.keys(COMMAND_TABLE) as CommandName[]).map((name) => commandId(name)).sort());
  });

  it('serves a handler on the local endpoint, and deactivate() resolves once its process has ended', async () => {
    const url = await fake.commands.get(commandId('startLocalEndpoint'))?.(pathToFileURL(join(dir, 'pid.js')).href, 'handler');
    assert.ok(typeof url === 'string', `no endpoint: ${JSON.stringify(fake.shown)}`);
    const response = await fetch(`${url}/2015-03-31/functions/pid/invocations`, { method: 'POST', body: '{}', headers: { authorization: SIGNED } });
    const { pid } = (await response.json()) as { pid: number };
    assert.ok(Number.isInteger(pid) && pid !== process.pid && isRunning(pid), 'the handler runs in its own process');

    await deactivate();
    assert.equal(isRunning(pid), false, 'the environment process ended before deactivate() resolved');
  });
});
