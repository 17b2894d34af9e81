/** Cross-talk instrumentation (instrument/cross-talk.ts): same behaviour, the right sites and lines. */
import assert from 'node:assert/strict';
import { sep } from 'node:path';
import { tokenizer } from 'acorn';
import { instrumentModule } from '../../src/core/runtime/instrument/instrument';
import { CROSS_TALK_HOOKS, type CrossTalkSiteTable } from '../../src/core/runtime/instrument/cross-talk-sites';
import { MAX_FRAMED_FILE_CHARS } from '../../src/core/runtime/instrument/frame-instrument';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';

const HOOKS = hooksNameFrom(new Uint8Array(16).fill(0xcd));
const KIND_NAMES = ['read', 'set', 'update'];

interface Access {
  kind: string;
  path: string;
  line: number;
}

function instrument(source: string, filename = '/t/handler.js'): { code: string; table: CrossTalkSiteTable } {
  const result = instrumentModule(source, filename, 'commonjs', { hooks: HOOKS, probe: true, crossTalk: true });
  assert.ok(result.crossTalk, 'a site table is returned');
  return { code: result.code, table: result.crossTalk };
}

/** Runs a CommonJS module's `handler`, uninstrumented or with a channel that logs every access. */
async function runHandler(code: string, event: unknown, log?: Array<Access | string>): Promise<unknown> {
  let table: CrossTalkSiteTable | null = null;
  const access = (kind: string) => (site: number, value?: unknown): unknown => {
    const [path, line] = (table as CrossTalkSiteTable).sites[site] as [number, number, number];
    log?.push({ kind, path: (table as CrossTalkSiteTable).paths[path] as string, line });
    return value;
  };
  const channel = {
    module: () => undefined,
    refused: () => undefined,
    [CROSS_TALK_HOOKS.sites]: (json: string) => (table = JSON.parse(json) as CrossTalkSiteTable),
    [CROSS_TALK_HOOKS.read]: access('read'),
    [CROSS_TALK_HOOKS.write]: access('write'),
  };
  const exports: { handler?: (event: unknown, log?: unknown) => unknown } = {};
  new Function(HOOKS, 'exports', 'require', code)(channel, exports, require);
  return (exports.handler as (event: unknown, log?: unknown) => unknown)(event, log);
}

function sitesOf(table: CrossTalkSiteTable): Access[] {
  return table.sites.map(([path, line, kind]) => ({ kind: KIND_NAMES[kind] as string, path: table.paths[path] as string, line }));
}

/** The user's tokens with their lines, the hook calls (and every parenthesis) left out. */
function userTokens(code: string): string[] {
  type Token = { value?: unknown; type: { label: string }; loc?: { start: { line: number } } };
  const tokens = [...tokenizer(code, { ecmaVersion: 'latest', locations: true, allowReturnOutsideFunction: true })] as unknown as Token[];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.value === HOOKS && /^crossTalk(Read|Write)$/.test(String(tokens[i + 2]?.value))) {
      i += tokens[i + 5]?.type.label === ',' ? 5 : 6; // `H.crossTalkRead(1, ` or `H.crossTalkRead(1), `
      continue;
    }
    if (token.type.label === ';' && tokens[i + 1]?.value === HOOKS && tokens[i + 3]?.value === 'module') break; // the appended lines
    if (tokens[i + 1]?.type.label === ':' && tokens[i + 2]?.value === HOOKS && tokens[i + 8]?.value === token.value && tokens[i + 9]?.type.label === ')') {
      i += 1; // `{ count }` became `{ count: H.crossTalkRead(1, count) }`
      continue;
    }
    if (token.type.label === '(' || token.type.label === ')') continue;
    out.push(`${token.loc?.start.line}:${token.type.label}:${String(token.value ?? '')}`);
  }
  return out;
}

describe('cross-talk: instrumentation', () => {
  const source = [
    'const state = { user: null, list: [], box: { items: [1], get twice() { return this.items.length * 2; } } };',
    'let count = 0;',
    'let last;',
    'function tag(strings, ...values) { return strings.join("|") + values.join(","); }',
    'exports.handler = async (event) => {',
    '  state.user = event.user;',
    '  count++;',
    '  count += await Promise.resolve(2);',
    '  state.list.push(event.user);',
    '  const self = state.box.self?.() ?? state.box.items.concat([state.box.twice]);',
    '  [last, state.user] = [state.user, `${state.user}!`];',
    '  state.box.flag ||= (1, "set");',
    '  delete state.box.gone;',
    '  const made = new state.box.Maker(count);',
    '  state.list = state.list.concat(count), state.box.self = function () { return this; };',
    '  return { user: state.user, count, last, self, made: made.n, same: state.box.self() === state.box, t: state.box.tag`a${count}b` };',
    '};',
    'state.box.Maker = function (n) { this.n = n; };',
    'state.box.tag = function (strings, value) { return tag(strings, value, this === state.box); };',
  ].join('\n');

  it('keeps what the handler returns, every token on its line, and `this` of method calls', async () => {
    const { code } = instrument(source);
    assert.notEqual(code, source);
    assert.deepEqual(await runHandler(code, { user: 'ana' }), await runHandler(source, { user: 'ana' }));
    const result = (await runHandler(code, { user: 'ana' })) as Record<string, unknown>;
    assert.equal(result.same, true, 'state.box.self() got this === state.box');
    assert.equal(result.t, 'a|b3,true', 'a tagged template on a member keeps its this');
    assert.deepEqual(userTokens(code), userTokens(source));
    assert.equal(code.split('\n').slice(0, 19).length, source.split('\n').length);
  });

  it('records each access with its module path, kind and line, in evaluation order', async () => {
    const { code, table } = instrument(source);
    const log: Array<Access | string> = [];
    await runHandler(code, { user: 'ana' }, log);
    assert.deepEqual(log, [
      { kind: 'write', path: 'state.user', line: 6 },
      { kind: 'write', path: 'count', line: 7 },
      // The update that awaits reads where it starts, writes when the await is over.
      { kind: 'read', path: 'count', line: 8 },
      { kind: 'write', path: 'count', line: 8 },
      { kind: 'read', path: 'state.list', line: 9 }, // push(): the object's path is read
      { kind: 'read', path: 'state.box', line: 10 }, // self?.()
      { kind: 'read', path: 'state.user', line: 11 },
      { kind: 'read', path: 'state.user', line: 11 },
      { kind: 'write', path: 'state.user', line: 11 },
      { kind: 'write', path: 'last', line: 11 },
      { kind: 'write', path: 'state.box.flag', line: 12 },
      { kind: 'write', path: 'state.box.gone', line: 13 },
      { kind: 'read', path: 'state.box', line: 14 },
      { kind: 'read', path: 'count', line: 14 },
      { kind: 'read', path: 'state.list', line: 15 },
      { kind: 'read', path: 'count', line: 15 },
      { kind: 'write', path: 'state.list', line: 15 },
      { kind: 'write', path: 'state.box.self', line: 15 },
      { kind: 'read', path: 'state.user', line: 16 },
      { kind: 'read', path: 'count', line: 16 },
      { kind: 'read', path: 'last', line: 16 },
      { kind: 'read', path: 'state.box', line: 16 },
      { kind: 'read', path: 'state.box', line: 16 },
      { kind: 'read', path: 'state.box', line: 16 },
      { kind: 'read', path: 'count', line: 16 },
      { kind: 'read', path: 'state.box', line: 19 }, // a function, though written at the top level
    ]);
    const kinds = sitesOf(table).filter((site) => site.path === 'count').map((site) => `${site.line}:${site.kind}`);
    assert.deepEqual(kinds, ['7:update', '8:update', '8:read', '14:read', '15:read', '16:read', '16:read'], 'count++ and count += are updates');
    assert.equal(sitesOf(table).find((site) => site.path === 'state.user')?.kind, 'set');
    assert.ok(!sitesOf(table).some((site) => site.line === 18), 'top-level init code gets no sites');
    assert.ok(!sitesOf(table).some((site) => site.path === 'state.box.items'), 'a path no function writes is not tracked');
    assert.ok(!sitesOf(table).some((site) => site.path === 'tag'), 'a function only called (never written) is not tracked');
  });

  it('records a write after the await its value waits for, and a read before the awaits that follow it', async () => {
    const handler = [
      'const state = {};',
      'exports.handler = async (event, log) => {',
      '  state.user = await (async () => { await null; log.push("resolved"); return event.user; })();',
      '  const seen = state.user;',
      '  await (async () => { await null; log.push("later"); })();',
      '  state.self = state;',
      '  return seen;',
      '};',
    ].join('\n');
    const log: Array<Access | string> = [];
    assert.equal(await runHandler(instrument(handler).code, { user: 'bo' }, log), 'bo');
    assert.deepEqual(log, [
      'resolved',
      { kind: 'write', path: 'state.user', line: 3 },
      { kind: 'read', path: 'state.user', line: 4 },
      'later',
      // The right side is read before the write it feeds is recorded.
      { kind: 'read', path: 'state', line: 6 },
      { kind: 'write', path: 'state.self', line: 6 },
    ]);
  });

  it('keeps statements written without semicolons apart, and `new` calling the member it named', async () => {
    const handler = [
      'const state = { C: function () { this.made = true; } }',
      'exports.handler = async (event) => {',
      '  state.user = event.user',
      '  state.list = []',
      '  state.list.push(state.user)',
      '  state.C.prototype.kind = "c"',
      '  const made = new state.C',
      '  return [state.list.length, state.user, made.made, made.kind]',
      '}',
    ].join('\n');
    const { code } = instrument(handler);
    assert.match(code, /new \(\S+\.crossTalkRead\(\d+, state\)\)\.C/);
    assert.deepEqual(await runHandler(code, { user: 'di' }), [1, 'di', true, 'c']);
  });

  it('keeps the name an anonymous function takes from the binding it is assigned to', async () => {
    const handler = [
      'let fn, Klass, arrow;',
      'exports.handler = async () => {',
      '  fn = function () {}; Klass = class {}; arrow ||= () => 1;',
      '  await null;',
      '  return [fn.name, Klass.name, arrow.name];',
      '};',
    ].join('\n');
    const { code, table } = instrument(handler);
    assert.equal(table.sites.length, 6);
    assert.deepEqual(await runHandler(code, {}), ['fn', 'Klass', 'arrow']);
  });

  it('leaves shadowed names alone: parameters, locals, catch and loop bindings, top-level blocks', () => {
    const handler = [
      'let state = {};',
      'function byParam(state) { state.user = 1; return state.user; }',
      'function byLocal() { const state = {}; state.user = 1; return state.user; }',
      'function byVar() { if (true) { var state = {}; } state.user = 1; return state.user; }',
      'function byCatch() { try { throw {}; } catch (state) { state.user = 1; return state.user; } }',
      'function byLoop() { for (const state of [{}]) { state.user = 1; return state.user; } }',
      'function byDestructuring({ a: { state } }) { state.user = 1; return state.user; }',
      '{ let state = {}; exports.inBlock = () => { state.user = 1; return state.user; }; }',
      'const named = function state() { state.user = 1; return state.user; };',
      'exports.handler = async () => { state.user = 2; return state.user; };',
    ].join('\n');
    const { table } = instrument(handler);
    assert.deepEqual(sitesOf(table), [
      { kind: 'set', path: 'state.user', line: 10 },
      { kind: 'read', path: 'state.user', line: 10 },
    ]);
  });

  it('gives no hook to what cannot take part in a finding: reads of paths no function writes, writes no function reads', () => {
    const handler = [
      "const client = { send: async (c) => c, config: { region: 'r' } };",
      'let lastEvent;',
      'exports.handler = async (event) => { lastEvent = event; return [await client.send(event), client.config.region]; };',
    ].join('\n');
    const result = instrumentModule(handler, '/t/handler.js', 'commonjs', { hooks: HOOKS, probe: true, crossTalk: true });
    assert.deepEqual(result.crossTalk?.sites, []);
    assert.ok(result.code.startsWith(handler), 'the source is untouched');
    assert.ok(!result.code.includes(CROSS_TALK_HOOKS.sites), 'no table is handed over');
  });

  it('instruments TypeScript after sucrase, on the lines as written, and leaves ES module imports alone', async () => {
    const ts = [
      "import { sep } from 'node:path';",
      'interface State { user: string | null }',
      'const state: State = { user: null };',
      'export const handler = async (event: { user: string }): Promise<string> => {',
      '  state.user = event.user as string;',
      '  await Promise.resolve();',
      '  return state.user + sep;',
      '};',
    ].join('\n');
    const { code, table } = instrument(ts, '/t/handler.ts');
    assert.deepEqual(sitesOf(table), [
      { kind: 'set', path: 'state.user', line: 5 },
      { kind: 'read', path: 'state.user', line: 7 },
    ]);
    const log: Array<Access | string> = [];
    assert.equal(await runHandler(code, { user: 'cy' }, log), `cy${sep}`);
    assert.equal(log.length, 2);

    const esm = "import fs from 'node:fs';\nexport let n = 0;\nexport const handler = async () => { fs.x = 1; n = 1; await 0; return [fs.x, n]; };";
    const module = instrumentModule(esm, '/t/handler.mjs', 'module', { hooks: HOOKS, probe: true, crossTalk: true });
    assert.deepEqual(module.crossTalk && sitesOf(module.crossTalk), [
      { kind: 'set', path: 'n', line: 3 },
      { kind: 'read', path: 'n', line: 3 },
    ]);
  });

  it('is off unless asked, and refuses a script with a with statement or the size of a bundle', () => {
    const handler = 'const state = {};\nexports.handler = async () => { state.a = 1; return state.a; };';
    const plain = instrumentModule(handler, '/t/handler.js', 'commonjs', { hooks: HOOKS, probe: true });
    assert.equal(plain.crossTalk, undefined);
    assert.ok(!plain.code.includes('crossTalk'));
    const withStatement = `${handler}\nfunction f(o) { with (o) { state.a = 2; } }`;
    assert.deepEqual(instrument(withStatement).table.sites, []);
    assert.equal(instrument(handler).table.sites.length, 2);
    assert.deepEqual(instrument(`${handler}\n// ${'x'.repeat(MAX_FRAMED_FILE_CHARS)}`).table.sites, [], 'a bundle-sized file gets none');
  });
});
