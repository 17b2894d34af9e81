/**
 * Cross-talk tracker (child/services/cross-talk.ts) on instrumented handlers: concurrent
 * invocations with real awaits, each in its own AsyncLocalStorage context (as the Managed
 * Instances engine runs them in one worker).
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CrossTalkFinding } from '../../src/core/model/snapshot';
import { instrumentModule } from '../../src/core/runtime/instrument/instrument';
import { createCrossTalkTracker, type CrossTalkTracker } from '../../src/core/runtime/child/services/cross-talk';
import { installHooksChannel } from '../../src/core/runtime/child/services/hooks-channel';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';
import { CROSS_TALK_HOOKS, SITE_READ, SITE_SET, type CrossTalkSiteTable } from '../../src/core/runtime/instrument/cross-talk-sites';
import { HostileRealm } from './hostile-realm';

const MANAGED = resolve(__dirname, '../fixtures/handlers/managed');
const WORKER = 3;

type Handler = (event: unknown) => Promise<unknown>;

interface Loaded {
  tracker: CrossTalkTracker;
  /** Starts an invocation of the handler as request `requestId`. */
  invoke(requestId: string, event?: unknown): Promise<unknown>;
  handler: Handler;
}

describe('cross-talk: tracker on instrumented handlers', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'warm-state-cross-talk-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Instruments an ES module handler, installs a fresh hooks channel with a tracker and imports it. */
  async function load(name: string, source = readFileSync(join(MANAGED, name), 'utf8')): Promise<Loaded> {
    const hooks = hooksNameFrom(randomBytes(16));
    const { code } = instrumentModule(source, join(MANAGED, name), 'module', { hooks, probe: true, crossTalk: true });
    const als = new AsyncLocalStorage<string>();
    const tracker = createCrossTalkTracker({ worker: WORKER, currentRequestId: () => als.getStore() });
    installHooksChannel(hooks, { module: () => undefined, refused: () => undefined, ...tracker.hooks });
    const file = join(dir, `${hooks}-${name}`);
    writeFileSync(file, code);
    const { handler } = (await import(pathToFileURL(file).href)) as { handler: Handler };
    return { tracker, handler, invoke: (requestId, event) => als.run(requestId, () => handler(event)) };
  }

  it("flags AWS's shared-state example: A's read of state.currentUser after B overwrote it, with both request ids and lines", async () => {
    const { tracker, invoke } = await load('shared-state.mjs');
    const responses = await Promise.all([invoke('req-A', { user: 'alice' }), invoke('req-B', { user: 'bob' })]);
    assert.deepEqual(responses, [{ user: 'bob' }, { user: 'bob' }], "A's response shows B's user");
    const expected: CrossTalkFinding = {
      kind: 'cross-talk',
      variable: 'state.currentUser',
      worker: WORKER,
      writer: { requestId: 'req-A', line: 4 },
      interloper: { requestId: 'req-B', line: 4 },
      reader: { requestId: 'req-A', line: 6 },
    };
    assert.deepEqual(tracker.takeFindings('req-A'), [expected]);
    assert.deepEqual(tracker.takeFindings('req-B'), [], 'B read back its own write');
    assert.deepEqual(tracker.takeFindings('req-A'), [], 'taking clears');
  });

  it('finds nothing for one invocation alone, nor for invocations that do not overlap', async () => {
    const { tracker, invoke } = await load('shared-state.mjs');
    assert.deepEqual(await invoke('solo', { user: 'alice' }), { user: 'alice' });
    assert.deepEqual(await invoke('next', { user: 'bob' }), { user: 'bob' });
    assert.deepEqual([tracker.takeFindings('solo'), tracker.takeFindings('next')], [[], []]);
  });

  it('finds nothing for the AsyncLocalStorage fix, a client only read after init, or an await-free counter', async () => {
    const fix = await load('als-fix.mjs');
    assert.deepEqual(await Promise.all([fix.invoke('A', { user: 'alice' }), fix.invoke('B', { user: 'bob' })]), [{ user: 'alice' }, { user: 'bob' }]);
    const client = await load('readonly-client.mjs');
    await Promise.all([client.invoke('C', { user: 'alice' }), client.invoke('D', { user: 'bob' })]);
    const counter = await load('counter.mjs');
    const counts = await Promise.all(['E', 'F', 'G'].map((id) => counter.invoke(id)));
    assert.deepEqual(counts, [{ count: 3 }, { count: 3 }, { count: 3 }], 'the counter is shared by the worker, and every read came after the other updates');
    assert.deepEqual(
      [fix.tracker, fix.tracker, client.tracker, client.tracker, counter.tracker, counter.tracker, counter.tracker].map((tracker, i) => tracker.takeFindings('ABCDEFG'[i] as string)),
      [[], [], [], [], [], [], []],
    );
  });

  it('counts a write of the object above as a write of the path read, reports each variable once per reader, and forgets ended invocations', async () => {
    const source = [
      'let state = { currentUser: null };',
      'export const handler = async (event) => {',
      '  if (event.replace) state = { currentUser: event.user }; else state.currentUser = event.user;',
      '  await new Promise((r) => setTimeout(r, 20));',
      '  const first = state.currentUser;',
      '  const second = state.currentUser;',
      '  return first + second;',
      '};',
    ].join('\n');
    const { tracker, invoke, handler } = await load('replace.mjs', source);
    assert.deepEqual(await Promise.all([invoke('A', { user: 'a' }), invoke('B', { user: 'b', replace: true })]), ['bb', 'bb']);
    assert.deepEqual(tracker.takeFindings('A'), [
      { kind: 'cross-talk', variable: 'state.currentUser', worker: WORKER, writer: { requestId: 'A', line: 3 }, interloper: { requestId: 'B', line: 3 }, reader: { requestId: 'A', line: 5 } },
    ]);
    // An access outside any invocation (no request id, like a timer set at init) is ignored.
    assert.deepEqual(await Promise.all([invoke('solo', { user: 's' }), handler({ user: 'x' })]), ['xx', 'xx']);
    assert.deepEqual(tracker.takeFindings('solo'), []);
    tracker.end('A');
    tracker.end('B');
    // An ended invocation's state is gone: a new one under its id is reported afresh.
    await Promise.all([invoke('A', { user: 'c' }), invoke('C', { user: 'd' })]);
    assert.equal(tracker.takeFindings('A').length, 1);
    assert.deepEqual(tracker.takeFindings('C'), []);
  });

  it('calls no user code: built-ins replaced after the runtime loaded are never reached', () => {
    const table: CrossTalkSiteTable = {
      paths: ['state', 'state.user'],
      sites: [[1, 4, SITE_SET], [0, 5, SITE_SET], [1, 6, SITE_READ]],
      overlaps: [[0, 1], [0, 1]],
    };
    const json = JSON.stringify(table);
    let current: string | undefined;
    const tracker = createCrossTalkTracker({ worker: WORKER, currentRequestId: () => current });
    const hook = (name: string) => tracker.hooks[name] as (site: unknown, value?: unknown) => unknown;
    const constructors = new HostileRealm();
    for (const name of ['Float64Array', 'Int32Array', 'Uint8Array']) constructors.method(globalThis, name, name);
    const realm = HostileRealm.patchEverything();
    let findings: CrossTalkFinding[] = [];
    try {
      constructors.run(() => realm.run(() => {
        hook(CROSS_TALK_HOOKS.sites)(json);
        current = 'A';
        hook(CROSS_TALK_HOOKS.write)(0, 'a');
        current = 'B';
        hook(CROSS_TALK_HOOKS.write)(1, {});
        current = 'A';
        hook(CROSS_TALK_HOOKS.read)(2, 'value');
        hook(CROSS_TALK_HOOKS.read)(2, 'value');
        findings = tracker.takeFindings('A');
        tracker.end('A');
        tracker.end('B');
      }));
    } finally {
      realm.dispose();
      constructors.dispose();
    }
    assert.deepEqual({ ...realm.calls, ...constructors.calls }, {}, 'calls into user code');
    assert.deepEqual(findings, [
      { kind: 'cross-talk', variable: 'state.user', worker: WORKER, writer: { requestId: 'A', line: 4 }, interloper: { requestId: 'B', line: 5 }, reader: { requestId: 'A', line: 6 } },
    ]);
  });
});
