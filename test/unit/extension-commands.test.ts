import { strict as assert } from 'node:assert';
import { fake } from './fake-vscode';
import type { HandlerCandidate } from '../../src/core/handlers/types';
import { isExportName, orderForPick, parseCommandArgs, resolveHandler, type EditorState } from '../../src/vscode/command-args';
import { commandId } from '../../src/vscode/command-ids';
import { COMMAND_TABLE, registerCommands, type CommandName, type CommandTargets } from '../../src/vscode/command-registry';
import { handlerKey, handlerLabel, handlerTitle, parseHandlerKey } from '../../src/vscode/handler-key';
import { lensCandidates } from '../../src/vscode/lens-candidates';

function candidate(exportName: string, line: number, extra: Partial<HandlerCandidate> = {}): HandlerCandidate {
  return { exportName, line, column: 0, params: 2, shape: 'async-function', confidence: 'likely', ...extra };
}

const FILE = 'file:///work/app/handler.js';

function editor(overrides: Partial<EditorState>): EditorState {
  return { fileUri: FILE, isHandlerLanguage: true, cursorLine: 1, candidates: [], ...overrides };
}

describe('extension: the command table', () => {
  const names = Object.keys(COMMAND_TABLE) as CommandName[];
  let calls: { method: string; args: unknown[] }[];

  /** Targets whose every method records its call: what the table's handlers reach. */
  function targets(): CommandTargets {
    const recorder = (owner: string) =>
      new Proxy({}, { get: (_target, method) => async (...args: unknown[]) => calls.push({ method: `${owner}.${String(method)}`, args }) });
    return { local: recorder('local'), deployed: recorder('deployed'), log: recorder('log') } as unknown as CommandTargets;
  }

  beforeEach(() => {
    fake.reset();
    calls = [];
    registerCommands(targets());
  });

  it('registers every command of the table under warmState.<name>, and nothing else', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), names.map((name) => `warmState.${name}`).sort());
    assert.equal(commandId('invokeDeployed'), 'warmState.invokeDeployed');
  });

  it('needs a trusted workspace for what runs handler code or changes a deployed function', () => {
    const needingTrust = names.filter((name) => COMMAND_TABLE[name].trust !== 'none');
    assert.deepEqual(needingTrust.sort(), ['attachProbe', 'detachProbe', 'invokeCold', 'invokeConcurrently', 'invokeDeployed', 'invokeWarm', 'startLocalEndpoint']);
  });

  it('in Restricted Mode refuses those commands with one message and runs the others', async () => {
    fake.trusted = false;
    for (const name of names) {
      const before = calls.length;
      fake.shown = [];
      const result = await fake.commands.get(commandId(name))?.('file:///w/handler.js', 'handler');
      if (COMMAND_TABLE[name].trust === 'none') {
        if (name !== 'explainRestrictedMode') assert.equal(calls.length, before + 1, `${name} runs`);
        continue;
      }
      assert.equal(result, undefined, name);
      assert.equal(calls.length, before, `${name} must not run`);
      assert.deepEqual(fake.shown.map((shown) => shown.level), ['warning'], name);
      assert.match(fake.shown[0].message, /Restricted Mode/, name);
    }
    fake.shown = [];
    await fake.commands.get(commandId('explainRestrictedMode'))?.();
    const explained = fake.shown[0]?.message;
    fake.shown = [];
    await fake.commands.get(commandId('invokeWarm'))?.();
    await fake.commands.get(commandId('attachProbe'))?.();
    assert.deepEqual(fake.shown.map((shown) => shown.message), [explained, explained], 'the same message everywhere');
  });

  it('runs each command in a trusted workspace with its parsed arguments', async () => {
    for (const name of names.filter((name) => name !== 'explainRestrictedMode')) {
      const before = calls.length;
      await fake.commands.get(commandId(name))?.('file:///w/handler.js', 'handler', 'sample:sqs');
      assert.equal(calls.length, before + 1, name);
    }
    const invoked = calls.find((call) => call.method === 'local.invoke');
    assert.deepEqual(invoked?.args, [{ handler: { fileUri: 'file:///w/handler.js', exportName: 'handler' }, extra: 'sample:sqs' }, false]);
    assert.deepEqual(fake.shown, []);
  });

  it('validates arguments the same way for every command: a message, nothing runs', async () => {
    for (const name of names) {
      fake.shown = [];
      assert.equal(await fake.commands.get(commandId(name))?.(42, 'handler'), undefined, name);
      assert.deepEqual(fake.shown.map((shown) => shown.level), ['error'], name);
    }
    assert.deepEqual(calls, []);
  });
});

describe('extension: command arguments', () => {
  it('accepts no arguments (palette, keybinding)', () => {
    assert.deepEqual(parseCommandArgs([]), { ok: true, value: {} });
  });

  it('accepts (fileUri, exportName) from CodeLens and an optional extra string', () => {
    assert.deepEqual(parseCommandArgs([FILE, 'test']), { ok: true, value: { handler: { fileUri: FILE, exportName: 'test' }, extra: undefined } });
    assert.deepEqual(parseCommandArgs([FILE, 'test', 'sample:sqs']), { ok: true, value: { handler: { fileUri: FILE, exportName: 'test' }, extra: 'sample:sqs' } });
  });

  it('treats a URI object with a context object (editor-title button) as a file without export', () => {
    const uriLike = { scheme: 'file', path: '/work/app/handler.js', toString: () => FILE };
    assert.deepEqual(parseCommandArgs([uriLike, { groupId: 1 }]), { ok: true, value: { fileUri: FILE } });
  });

  it('rejects malformed arguments with a message instead of guessing', () => {
    for (const args of [[42, 'test'], ['not a uri', 'test'], [FILE, 'bad name!'], [FILE, 'test', 7], [FILE, { x: 1 }, 'sample:sqs']]) {
      const parsed = parseCommandArgs(args);
      assert.equal(parsed.ok, false, JSON.stringify(args));
      assert.ok(!parsed.ok && parsed.message.length > 10);
    }
  });

  it('knows valid export names, nested ones included', () => {
    for (const name of ['test', 'default', '$x', '_h', 'app.handler', 'émoji']) assert.ok(isExportName(name), name);
    for (const name of ['', '1x', 'a..b', 'a.', 'a b', 'x;y']) assert.ok(!isExportName(name), name);
  });
});

describe('extension: which handler a command runs', () => {
  it('explains when there is no editor, a non-JS file, or no handler', () => {
    assert.equal(resolveHandler(editor({ fileUri: undefined })).kind, 'none');
    const notJs = resolveHandler(editor({ isHandlerLanguage: false }));
    assert.ok(notJs.kind === 'none' && /not JavaScript or TypeScript/.test(notJs.message));
    const none = resolveHandler(editor({ candidates: [] }));
    assert.ok(none.kind === 'none' && /No Lambda handler/.test(none.message));
    const broken = resolveHandler(editor({ candidates: [], parseError: 'Unexpected token (line 4)' }));
    assert.ok(broken.kind === 'none' && /does not parse.*Unexpected token \(line 4\)/.test(broken.message));
  });

  it('runs the only handler of a file wherever the cursor is', () => {
    const result = resolveHandler(editor({ cursorLine: 40, candidates: [candidate('test', 6, { endLine: 14 })] }));
    assert.deepEqual(result, { kind: 'handler', handler: { fileUri: FILE, exportName: 'test' } });
  });

  it('runs the handler under the cursor when there are several', () => {
    const candidates = [candidate('first', 3, { endLine: 8 }), candidate('second', 10, { endLine: 20 })];
    const result = resolveHandler(editor({ cursorLine: 15, candidates }));
    assert.deepEqual(result, { kind: 'handler', handler: { fileUri: FILE, exportName: 'second' } });
  });

  it('uses the function definition range for `export { x }` forms', () => {
    const candidates = [
      candidate('a', 30, { endLine: 30, definition: { line: 2, endLine: 10 } }),
      candidate('b', 30, { endLine: 30, definition: { line: 12, endLine: 20 } }),
    ];
    const result = resolveHandler(editor({ cursorLine: 5, candidates }));
    assert.deepEqual(result, { kind: 'handler', handler: { fileUri: FILE, exportName: 'a' } });
  });

  it('asks when the cursor is outside every handler, certain ones listed first', () => {
    const candidates = [candidate('helper', 3, { endLine: 5, confidence: 'possible' }), candidate('main', 10, { endLine: 12, confidence: 'certain' }), candidate('other', 20, { endLine: 22 })];
    const result = resolveHandler(editor({ cursorLine: 1, candidates }));
    assert.equal(result.kind, 'pick');
    assert.deepEqual(result.kind === 'pick' && result.candidates.map((c) => c.exportName), ['main', 'other', 'helper']);
    assert.deepEqual(orderForPick(candidates).map((c) => c.exportName), ['main', 'other', 'helper']);
  });
});

describe('extension: handler keys and labels', () => {
  it('round-trips keys, also with spaces in the path (encoded in URIs)', () => {
    const ref = { fileUri: 'file:///my%20app/handler.js', exportName: 'test' };
    assert.deepEqual(parseHandlerKey(handlerKey(ref)), ref);
    assert.equal(parseHandlerKey('nokey'), undefined);
  });

  it('labels a handler the way Lambda handler strings do', () => {
    assert.equal(handlerLabel({ fileUri: 'file:///w/src/handler.js', exportName: 'test' }), 'handler.test');
    assert.equal(handlerLabel({ fileUri: 'file:///w/my%20fn.ts', exportName: 'default' }), 'my fn.default');
  });

  it('titles panels with the workspace-relative handler string, so same-named files differ', () => {
    const ref = { fileUri: 'file:///w/xss/handler.js', exportName: 'handler' };
    assert.equal(handlerTitle(ref, 'xss/handler.js'), 'xss/handler.handler');
    assert.equal(handlerTitle({ ...ref, fileUri: 'file:///w/marker/handler.js' }, 'marker\\handler.js'), 'marker/handler.handler');
    assert.equal(handlerTitle(ref, 'handler.js'), 'handler.handler');
    assert.equal(handlerTitle(ref, undefined), 'handler.handler');
  });
});

describe('extension: which exports get CodeLens', () => {
  it('shows certain and likely handlers, possible ones only when nothing better exists', () => {
    const mixed = [candidate('util', 1, { confidence: 'possible' }), candidate('handler', 5)];
    assert.deepEqual(lensCandidates(mixed).map((c) => c.exportName), ['handler']);
    const weak = [candidate('a', 1, { confidence: 'possible' }), candidate('b', 5, { confidence: 'possible' })];
    assert.deepEqual(lensCandidates(weak).map((c) => c.exportName), ['a', 'b']);
  });
});
