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
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { activate, deactivate } from '../../src/extension';
import { createLambdaClient } from '../../src/core/deployed/lambda-client';
import { commandId } from '../../src/vscode/command-ids';
import { COMMAND_TABLE, type CommandName } from '../../src/vscode/command-registry';

function memento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return { keys: () => [...values.keys()], get: <T>(key: string) => values.get(key) as T, update: async (key, value) => void values.set(key, value) } as vscode.Memento;
}

describe('extension: activation and deactivation', function () {
  this.timeout(30000);
  let dir: string;
  let context: vscode.ExtensionContext;
  const savedHome = process.env.WARM_STATE_HOME;

  beforeEach(() => {
    fake.reset();
    fake.settings['warmState.localEndpoint.port'] = 0;
    dir = mkdtempSync(join(tmpdir(), 'warm-state-lifecycle-'));
    // Where the endpoint leaves the key of its run (and where the client below finds it).
    process.env.WARM_STATE_HOME = join(dir, 'home');
    writeFileSync(join(dir, 'pid.js'), "module.exports.handler = async () => {\n  console.log('answering from', process.pid);\n  return { pid: process.pid };\n};\n");
    const extensionUri = vscode.Uri.file(join(__dirname, '..', '..'));
    context = { subscriptions: [], workspaceState: memento(), globalState: memento(), extensionUri, storageUri: undefined, extensionMode: 3 } as unknown as vscode.ExtensionContext;
    activate(context);
  });

  afterEach(async () => {
    await deactivate();
    for (const subscription of context.subscriptions) subscription.dispose();
    rmSync(dir, { recursive: true, force: true });
    if (savedHome === undefined) delete process.env.WARM_STATE_HOME;
    else process.env.WARM_STATE_HOME = savedHome;
  });

  it('registers exactly the commands of the table', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), (Object.keys(COMMAND_TABLE) as CommandName[]).map((name) => commandId(name)).sort());
  });

  it('serves a handler on the local endpoint, and deactivate() resolves once its process has ended', async () => {
    const url = await fake.commands.get(commandId('startLocalEndpoint'))?.(pathToFileURL(join(dir, 'pid.js')).href, 'handler');
    assert.ok(typeof url === 'string', `no endpoint: ${JSON.stringify(fake.shown)}`);
    // Signed with the key of the endpoint's run, which Warm State's client finds by itself.
    const lambda = await createLambdaClient({ endpointUrl: url, region: 'us-east-1', maxAttempts: 1 });
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'pid', Payload: '{}' }));
    lambda.destroy();
    const { pid } = JSON.parse(Buffer.from(result.Payload ?? []).toString()) as { pid: number };
    assert.ok(Number.isInteger(pid) && pid !== process.pid && isRunning(pid), 'the handler runs in its own process');
    // The Warm State output shows the request and what the function wrote (its log is complete just after the answer).
    const wrote = new RegExp(`^local endpoint: pid \\| \\S+Z\\t[0-9a-f-]{36}\\tINFO\\tanswering from ${pid}$`);
    for (let waited = 0; !fake.logged.some((line) => wrote.test(line)) && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(fake.logged.some((line) => wrote.test(line)), `the function's output in the log: ${JSON.stringify(fake.logged)}`);
    assert.ok(fake.logged.some((line) => /^local endpoint: POST \/2015-03-31\/functions\/pid\/invocations -> 200/.test(line)));

    await deactivate();
    assert.equal(isRunning(pid), false, 'the environment process ended before deactivate() resolved');
  });
});
