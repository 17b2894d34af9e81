import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, COMMAND, lineOf, openInEditor } from './support';

interface LensSummary {
  line: number;
  command: string;
  args: unknown[];
}

async function warmStateLenses(uri: vscode.Uri): Promise<LensSummary[]> {
  // The second argument asks VS Code to resolve the lenses, as the editor does when it shows them.
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses
    .filter((lens) => lens.command?.command.startsWith('warmState.'))
    .map((lens) => ({ line: lens.range.start.line, command: lens.command?.command ?? '', args: lens.command?.arguments ?? [] }));
}

describe('CodeLens', () => {
  before(activateExtension);

  it('puts Invoke Warm above the motivating example\'s `test` export, with (uri, exportName)', async () => {
    const editor = await openInEditor('freeze-demo/handler.js');
    const uri = editor.document.uri;
    const expectedLine = lineOf(editor.document, 'module.exports.test');
    const lenses = await warmStateLenses(uri);
    const invoke = lenses.filter((lens) => lens.command === COMMAND.invokeWarm);
    assert.equal(invoke.length, 1, `one Invoke Warm lens expected, got ${JSON.stringify(lenses)}`);
    assert.equal(invoke[0].line, expectedLine);
    assert.deepEqual(invoke[0].args.slice(0, 2), [uri.toString(), 'test']);
    const cold = lenses.filter((lens) => lens.command === COMMAND.invokeCold);
    assert.ok(cold.some((lens) => lens.line === expectedLine), 'a Cold Start lens on the same line');
    assert.ok(lenses.every((lens) => lens.line === expectedLine), `no lens away from the handler: ${JSON.stringify(lenses)}`);
  });

  it('finds each handler of a TypeScript file at its own line and skips non-functions', async () => {
    const editor = await openInEditor('ts-handlers/app.ts');
    const uri = editor.document.uri;
    const invoke = (await warmStateLenses(uri)).filter((lens) => lens.command === COMMAND.invokeWarm);
    const byExport = new Map(invoke.map((lens) => [lens.args[1], lens.line]));
    assert.equal(byExport.get('handler'), lineOf(editor.document, 'export const handler'));
    assert.equal(byExport.get('other'), lineOf(editor.document, 'export async function other'));
    assert.ok(!byExport.has('notAHandler'), 'a number export gets no lens');
    assert.ok(invoke.every((lens) => lens.args[0] === uri.toString()));
  });

  it('shows no lens in a file without handlers', async () => {
    const editor = await openInEditor('no-handlers/util.js');
    assert.deepEqual(await warmStateLenses(editor.document.uri), []);
  });
});
