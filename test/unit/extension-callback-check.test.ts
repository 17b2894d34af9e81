/**
 * The editor says it: a callback handler under a runtime that refuses it (nodejs24.x) gets a
 * warning on its parameter list and a CodeLens note; under nodejs20.x/22.x, or streaming, none.
 * Runs the real detector on the document's text, against the fake `vscode`.
 */
import { strict as assert } from 'node:assert';
import { fake } from './fake-vscode';
import * as vscode from 'vscode';
import { detectHandlers } from '../../src/core/handlers/detect';
import type { RuntimeProfileName } from '../../src/core/lambda/runtime-profiles';
import { CallbackHandlerCheck } from '../../src/vscode/callback-check';
import { HandlerCodeLensProvider } from '../../src/vscode/codelens';
import type { HandlerIndex } from '../../src/vscode/handler-index';
import type { SessionStore } from '../../src/vscode/sessions';

const SOURCE = [
  "'use strict';",
  'var arrayB = [];',
  'module.exports.test = (event, context, callback) => {',
  '  arrayB.push("B");',
  '  callback(null, arrayB.length);',
  '};',
  'module.exports.stream = awslambda.streamifyResponse(async (event, responseStream, context) => {});',
  'module.exports.modern = async (event, context) => arrayB.length;',
  '',
].join('\n');

function document(text: string, path = '/w/freeze-demo/handler.js'): vscode.TextDocument {
  return {
    uri: vscode.Uri.file(path),
    fileName: path,
    languageId: 'javascript',
    version: 1,
    isClosed: false,
    lineCount: text.split('\n').length,
    getText: () => text,
  } as unknown as vscode.TextDocument;
}

describe('extension: callback handlers under a runtime that refuses them', () => {
  let profile: RuntimeProfileName | null;
  let check: CallbackHandlerCheck;
  const asked: string[] = [];

  beforeEach(() => {
    fake.reset();
    profile = 'nodejs24.x';
    asked.length = 0;
    check = new CallbackHandlerCheck({
      candidates: async (doc) => detectHandlers(doc.getText(), doc.fileName),
      runtimeFor: async (_file, exportName) => {
        asked.push(exportName);
        return profile;
      },
      changes: [],
    });
  });

  afterEach(() => check.dispose());

  it('puts a warning on the parameter list of a callback handler under nodejs24.x', async () => {
    const doc = document(SOURCE);
    await check.update(doc);
    const diagnostics = fake.diagnostics.get(doc.uri.toString()) as vscode.Diagnostic[];
    assert.equal(diagnostics.length, 1, 'only the callback handler: the streaming one and the async one run');
    const [warning] = diagnostics;
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.code, 'Runtime.CallbackHandlerDeprecated');
    assert.match(warning.message, /nodejs24\.x runtime refuses callback handlers.*Make the handler async.*return the result/);
    const line = SOURCE.split('\n')[2];
    assert.equal(line.slice(warning.range.start.character, warning.range.end.character), 'event, context, callback');
    assert.deepEqual([warning.range.start.line, warning.range.end.line], [2, 2]);
    assert.deepEqual(asked, ['test'], 'the runtime is looked up only for callback-style handlers');
  });

  it('says nothing under nodejs20.x or nodejs22.x, nor while the runtime is unknown', async () => {
    for (const other of ['nodejs20.x', 'nodejs22.x', null] as const) {
      profile = other;
      const doc = document(SOURCE);
      await check.update(doc);
      assert.deepEqual(fake.diagnostics.get(doc.uri.toString()), [], String(other));
    }
  });

  it('adds a CodeLens note above the handler, next to Invoke Warm', async () => {
    const handlers = { candidates: async (doc: vscode.TextDocument) => detectHandlers(doc.getText(), doc.fileName), onDidChange: () => ({ dispose: () => undefined }) } as unknown as HandlerIndex;
    const sessions = { get: () => undefined, onDidChange: () => ({ dispose: () => undefined }) } as unknown as SessionStore;
    const provider = new HandlerCodeLensProvider(handlers, sessions, () => true, (doc) => check.notes(doc));
    try {
      const token = { isCancellationRequested: false } as vscode.CancellationToken;
      const lenses = await provider.provideCodeLenses(document(SOURCE), token);
      const notes = lenses.filter((lens) => lens.command?.title.startsWith('$(warning)'));
      assert.equal(notes.length, 1);
      assert.equal(notes[0].command?.title, '$(warning) nodejs24.x refuses callback handlers: make it async');
      assert.match(notes[0].command?.tooltip ?? '', /Runtime\.CallbackHandlerDeprecated/);
      assert.equal(notes[0].range.start.line, 2, 'above the callback handler');
      profile = 'nodejs22.x';
      const quiet = await provider.provideCodeLenses(document(SOURCE), token);
      assert.deepEqual(quiet.filter((lens) => lens.command?.title.startsWith('$(warning)')), []);
    } finally {
      provider.dispose();
    }
  });
});
