import { strict as assert } from 'node:assert';
import { scenarioRecord } from '../../media/src/sample/scenario';
import type { FunctionConfig } from '../../src/core/config/types';
import type { InvocationRecord, RawInvocation, RetainedMeasurement } from '../../src/core/model/snapshot';
import { nodeMajorMismatch } from '../../src/core/lambda/runtime-profiles';
import type { EnvironmentOptions, EnvironmentStatus, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { InvocationHistory } from '../../src/core/model/history';
import { WarmSession } from '../../src/core/session';
import { HandlerSession, type SessionDeps } from '../../src/vscode/handler-session';
import type { HistoryStore } from '../../src/vscode/history-store';
import type { NodeRuntimeResult } from '../../src/vscode/node-runtime';
import { readSettings } from '../../src/vscode/settings';

/** What an engine reports of the scenario's invocation `n` (scopes left out: not under test here). */
function rawScenario(n: number): RawInvocation {
  const { invocation: _invocation, growing: _growing, ...record } = scenarioRecord(n);
  return { ...record, moduleScope: [], handlerScope: [], parameters: [] };
}

/** A stand-in environment that counts its own invocations and generations from 1, like a local one. */
class FakeEngine implements WarmEnvironment {
  readonly capacity = 1;
  invocations = 0;
  resets: string[] = [];
  disposed = false;
  generation = 1;
  fail: Error | undefined;
  /** Set by a test to make the environment measurable (a local one is; a deployed one is not). */
  measureRetained: (() => Promise<RetainedMeasurement>) | undefined;
  /** When set, invocations finish only once it resolves. */
  hold: Promise<void> | undefined;
  private listeners = new Set<(status: EnvironmentStatus) => void>();

  constructor(
    readonly options: EnvironmentOptions,
    readonly source: RawInvocation['source'] = 'local',
  ) {}

  status(): EnvironmentStatus {
    return { state: this.invocations > 0 ? 'warm' : 'cold', frozen: true, warmInvocations: this.invocations, generation: this.generation, nodeVersion: 'v20.20.2', lastReset: null };
  }
  async invoke(): Promise<RawInvocation> {
    if (this.fail) throw this.fail;
    await this.hold;
    this.invocations += 1;
    for (const listener of this.listeners) listener(this.status());
    // Local runs say which profile they ran as and whether Node 22 matches it, as the engine's records do.
    const { runtime, runtimeSource } = this.options;
    const profile = this.source === 'local' && runtime ? { runtime, runtimeSource, nodeMismatch: nodeMajorMismatch(runtime, 'v22.3.0') } : {};
    return { ...rawScenario(Math.min(this.invocations, 3)), source: this.source, generation: this.generation, runtimeVersion: this.source === 'local' ? 'v22.3.0' : 'nodejs20.x', ...profile };
  }
  async reset(reason?: string): Promise<void> {
    this.resets.push(reason ?? '');
    this.invocations = 0;
    this.generation += 1;
  }
  onStatusChange(listener: (status: EnvironmentStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

interface Harness {
  session: HandlerSession;
  engines: FakeEngine[];
  saved: InvocationRecord[][];
  logs: string[];
  notified: string[];
  changes: number;
  values: Record<string, unknown>;
  node: NodeRuntimeResult;
  /** What `deps.nodeVersion` answers for that node. */
  nodeVersion: string | null;
  declared: FunctionConfig | undefined;
  /** Given to every environment made from now on (FakeEngine.hold). */
  hold?: Promise<void>;
}

const REF = { fileUri: 'file:///w/freeze-demo/handler.js', exportName: 'test' };

function harness(restored: InvocationRecord[] = []): Harness {
  const h: Harness = {
    engines: [],
    saved: [],
    logs: [],
    notified: [],
    changes: 0,
    values: {},
    node: { ok: true, runtime: { path: '/usr/bin/node', source: 'path' } },
    nodeVersion: 'v22.3.0',
    declared: undefined,
    session: undefined as unknown as HandlerSession,
  };
  const history: HistoryStore = { load: () => restored, save: (_ref, records) => h.saved.push([...records]), flush: async () => undefined };
  const deps: SessionDeps = {
    settings: () => readSettings({ get: (key) => h.values[key], isExplicit: (key) => key in h.values }),
    nodeRuntime: () => h.node,
    nodeVersion: async () => h.nodeVersion,
    functionFor: async () => h.declared,
    callerRegion: async () => 'eu-west-1',
    engine: {
      localEnvironments: async (options) => () => {
        const engine = new FakeEngine(options);
        engine.hold = h.hold;
        h.engines.push(engine);
        return engine;
      },
      createSession: async (options) => new WarmSession(options),
      createHistory: async (options) => new InvocationHistory(options),
    },
    history,
    log: { info: (m) => h.logs.push(`info ${m}`), warn: (m) => h.logs.push(`warn ${m}`), error: (m) => h.logs.push(`error ${m}`) },
    filePath: (uri) => uri.replace('file://', ''),
    displayPath: (path) => path.replace('/w/', ''),
    notify: (message) => h.notified.push(message),
  };
  h.session = new HandlerSession(REF, deps, () => (h.changes += 1));
  return h;
}

async function invoke(h: Harness, cold = false): Promise<InvocationRecord> {
  const outcome = await h.session.invoke({}, cold);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
  return outcome.record;
}

describe('extension: handler session', () => {
  it('creates one environment on the first invocation and reuses it', async () => {
    const h = harness();
    assert.equal(h.session.status(), undefined, 'no environment before the first invocation');
    const records = [await invoke(h), await invoke(h), await invoke(h)];
    assert.equal(h.engines.length, 1);
    assert.deepEqual(records.map((r) => r.invocation), [1, 2, 3]);
    assert.deepEqual(h.session.history().map((r) => r.invocation), [1, 2, 3]);
    assert.equal(h.session.status()?.warmInvocations, 3);
    assert.equal(h.saved.length, 3, 'the history is saved after each invocation');
    assert.equal(h.session.busy(), null);
    assert.ok(h.changes >= 6, 'busy on and off for each invocation');
  });

  it('passes the settings to the engine and runs in the order asked', async () => {
    const h = harness();
    h.values = { timeoutSeconds: 10, memoryMB: 256, freeze: false, environmentVariables: { TABLE: 'local' }, 'capture.depth': 2 };
    await Promise.all([h.session.invoke({ n: 1 }, false), h.session.invoke({ n: 2 }, false)]);
    const options = h.engines[0].options;
    assert.deepEqual([options.file, options.handlerExport, options.nodePath, options.timeoutSeconds, options.memoryMB, options.freeze, options.env, options.budgets?.depth], ['/w/freeze-demo/handler.js', 'test', '/usr/bin/node', 10, 256, false, { TABLE: 'local' }, 2]);
    assert.equal(options.handler, undefined, 'no template: the file is loaded as named');
    assert.deepEqual(h.session.history().map((r) => r.invocation), [1, 2]);
  });

  it('resets before a cold invocation', async () => {
    const h = harness();
    await invoke(h);
    const cold = await invoke(h, true);
    assert.deepEqual(h.engines[0].resets, ['requested']);
    assert.equal(cold.invocation, 2, 'the host numbers invocations across environments');
    assert.equal(cold.generation, 2);
  });

  it('starts a new environment when the settings change, keeping numbers and generations going', async () => {
    const h = harness();
    await invoke(h);
    await invoke(h);
    h.values = { timeoutSeconds: 30 };
    const next = await invoke(h);
    assert.equal(h.engines.length, 2);
    assert.equal(h.engines[0].disposed, true);
    assert.equal(next.invocation, 3);
    assert.equal(next.generation, 2, 'generation 1 of the new engine follows generation 1 of the old one');
    assert.equal(h.session.status()?.generation, 2);
    assert.ok(h.logs.some((line) => /settings changed; starting a new environment/.test(line)));
  });

  it('keeps the history bounded by warmState.historyLength', async () => {
    const h = harness();
    h.values = { historyLength: 2 };
    for (let i = 0; i < 4; i++) await invoke(h);
    assert.deepEqual(h.session.history().map((r) => r.invocation), [3, 4]);
  });

  it('continues a history restored after a window reload', async () => {
    const restored = [1, 2].map((n) => ({ ...scenarioRecord(n), invocation: n + 10, generation: 4 }));
    const h = harness(restored);
    assert.deepEqual(h.session.history().map((r) => r.invocation), [11, 12]);
    const next = await invoke(h);
    assert.equal(next.invocation, 13);
    assert.equal(next.generation, 5, 'a new environment after the reload');
  });

  it('reports a missing node or an engine fault instead of throwing, and clears it after a success', async () => {
    const h = harness();
    h.node = { ok: false, message: 'warmState.nodePath is "/nope", which is not an executable file.' };
    const noNode = await h.session.invoke({}, false);
    assert.ok(!noNode.ok && /nodePath/.test(noNode.message));
    assert.equal(h.engines.length, 0);
    assert.match(h.session.errors().at(-1)?.message ?? '', /nodePath/);
    h.node = { ok: true, runtime: { path: '/usr/bin/node', source: 'path' } };
    await invoke(h);
    h.engines[0].fail = new Error('spawn EACCES');
    const fault = await h.session.invoke({}, false);
    assert.ok(!fault.ok && /the engine failed: spawn EACCES/.test(fault.message));
    assert.equal(h.session.busy(), null);
    h.engines[0].fail = undefined;
    await invoke(h);
    assert.deepEqual(h.session.errors(), []);
  });

  it('keeps a problem reported by the caller (invalid event) until the next success', async () => {
    const h = harness();
    h.session.reportProblem('The event "events/bad.json" is not valid JSON');
    assert.equal(h.session.errors().length, 1);
    await invoke(h);
    assert.deepEqual(h.session.errors(), []);
  });

  it('uses a declared function and warns once when the local node major differs from its runtime', async () => {
    const h = harness();
    h.declared = {
      id: 'test', kind: 'serverless', configFile: '/w/freeze-demo/serverless.yml', line: 8, handler: 'handler.test', codeDir: '/w/freeze-demo',
      handlerFile: '/w/freeze-demo/handler.js', exportName: 'test', nestedPath: [], runtime: 'nodejs20.x', timeoutSeconds: 6, memoryMB: 1024,
      architecture: 'x86_64', environment: { STAGE: 'dev' }, unresolvedEnvironment: {}, unresolvedSettings: {}, functionName: 'freeze-demo-dev-test',
      inlineCode: false, sources: {}, problems: [],
    };
    await h.session.refreshSettings();
    assert.equal(h.session.settings()?.source, 'serverless');
    await invoke(h);
    await invoke(h);
    const options = h.engines[0].options;
    assert.deepEqual([options.timeoutSeconds, options.memoryMB, options.taskRoot, options.functionName, options.env], [6, 1024, '/w/freeze-demo', 'freeze-demo-dev-test', { STAGE: 'dev' }]);
    assert.equal(options.handler, 'handler.test', 'loaded by the Handler setting, as the runtime client loads it');
    assert.deepEqual([options.runtime, options.runtimeSource], ['nodejs20.x', 'template']);
    assert.deepEqual(h.session.settings()?.runtime, { profile: 'nodejs20.x', source: 'template', origin: 'from freeze-demo/serverless.yml' });
    assert.equal(h.notified.length, 1, 'the fake engine reports v22 against nodejs20.x: one notice');
    assert.match(h.notified[0], /20/);
    assert.ok(h.session.errors().some((error) => error.message === h.notified[0].replace('Warm State: ', '')), 'and the panel shows it');
  });

  it('runs as the warmState.runtime profile over the template, else as the local node major', async () => {
    const h = harness();
    await h.session.refreshSettings();
    assert.deepEqual(h.session.settings()?.runtime, { profile: 'nodejs22.x', source: 'node-major', origin: 'from the local Node 22' });
    h.values = { runtime: 'nodejs24.x' };
    h.declared = {
      id: 'test', kind: 'sam', configFile: '/w/template.yaml', line: 8, handler: 'handler.test', codeDir: '/w/freeze-demo',
      handlerFile: '/w/freeze-demo/handler.js', exportName: 'test', nestedPath: [], runtime: 'nodejs20.x', timeoutSeconds: 3, memoryMB: 128,
      architecture: 'x86_64', environment: {}, unresolvedEnvironment: {}, unresolvedSettings: {}, functionName: null, inlineCode: false, sources: {}, problems: [],
    };
    const record = await invoke(h);
    assert.deepEqual([h.engines[0].options.runtime, h.engines[0].options.runtimeSource], ['nodejs24.x', 'setting']);
    assert.equal(h.session.settings()?.runtime?.origin, 'from the warmState.runtime setting');
    assert.match(record.nodeMismatch ?? '', /nodejs24\.x \(Node\.js 24\) but the local node is v22\.3\.0/);
    assert.ok(h.session.errors().some((error) => /nodejs24\.x \(Node\.js 24\)/.test(error.message)), 'the panel says which node ran');
  });

  it('ignores a warmState.runtime that is no runtime, and says so', async () => {
    const h = harness();
    h.values = { runtime: 'nodejs18.x' };
    await invoke(h);
    assert.deepEqual([h.engines[0].options.runtime, h.engines[0].options.runtimeSource], ['nodejs22.x', 'node-major']);
    assert.ok(h.session.errors().some((error) => /Unknown runtime 'nodejs18\.x' in the warmState\.runtime setting.*ignored/.test(error.message)), JSON.stringify(h.session.errors()));
  });

  it('adds deployed invocations to the same numbered, bounded history', async () => {
    const h = harness();
    await invoke(h);
    const before = h.changes;
    // What deployed-commands.ts does: a deployed session over the handler's history, then the views are told.
    const deployed = new WarmSession({ environments: () => new FakeEngine(h.engines[0].options, 'deployed'), history: await h.session.sharedHistory() });
    const added = await deployed.invoke({});
    h.session.recorded(added);
    assert.equal(added.invocation, 2);
    assert.deepEqual(h.session.history().map((r) => [r.invocation, r.source]), [[1, 'local'], [2, 'deployed']]);
    assert.ok(h.changes > before, 'views are told');
    assert.equal(h.saved.length, 2);
  });

  it('resets on request only when an environment exists, and ends it on dispose', async () => {
    const h = harness();
    await h.session.reset();
    assert.equal(h.engines.length, 0);
    await invoke(h);
    await h.session.reset();
    assert.deepEqual(h.engines[0].resets, ['requested']);
    await h.session.dispose();
    assert.equal(h.engines[0].disposed, true);
    const after = await h.session.invoke({}, false);
    assert.equal(after.ok, false);
  });

  it('turns the init profile on for new environments when warmState.initProfile is set', async () => {
    const h = harness();
    await invoke(h);
    assert.equal(h.engines[0].options.initProfile, undefined, 'off by default');
    h.values = { initProfile: true };
    await invoke(h);
    assert.equal(h.engines.length, 2, 'a new (cold) environment, profiled');
    assert.equal(h.engines[1].options.initProfile, true);
  });

  it('measures retained sizes of the latest invocation, busy meanwhile, and clears an earlier refusal', async () => {
    const h = harness();
    await h.session.measureRetained();
    assert.match(h.session.errors()[0]?.message ?? '', /^Retained sizes not measured: no warm environment/);
    await invoke(h);
    const busy: (string | null)[] = [];
    h.engines[0].measureRetained = async () => {
      busy.push(h.session.busy());
      return { bindings: [], snapshotMs: 120, analysisMs: 300, snapshotBytes: 4e6, heapObjects: 30000 };
    };
    await h.session.measureRetained();
    assert.deepEqual(busy, ['measure-retained']);
    assert.equal(h.session.busy(), null);
    assert.deepEqual(h.session.history().at(-1)?.retained, { snapshotMs: 120, analysisMs: 300, snapshotBytes: 4e6, heapObjects: 30000 });
    assert.deepEqual(h.session.errors(), []);
  });

  it('shows a refused measurement with its reason and keeps the environment', async () => {
    const h = harness();
    await invoke(h);
    h.engines[0].measureRetained = async () => {
      const error = new Error('the heap snapshot would not fit in free memory (needs 300 MB).');
      error.name = 'MeasurementRefusedError';
      throw error;
    };
    await h.session.measureRetained();
    assert.deepEqual(h.session.errors().map((e) => e.message), ['Retained sizes not measured: the heap snapshot would not fit in free memory (needs 300 MB).']);
    assert.deepEqual(h.engines[0].resets, [], 'a measurement never resets the environment');
    assert.equal(h.session.status()?.state, 'warm');
  });

  it('runs an Invoke Warm that arrives while one runs in an environment of its own, and throttles beyond the reserved concurrency', async () => {
    const h = harness();
    h.declared = {
      id: 'test', kind: 'sam', configFile: '/w/template.yaml', line: 8, handler: 'handler.test', codeDir: '/w/freeze-demo',
      handlerFile: '/w/freeze-demo/handler.js', exportName: 'test', nestedPath: [], runtime: 'nodejs22.x', timeoutSeconds: 3, memoryMB: 128,
      architecture: 'x86_64', environment: {}, unresolvedEnvironment: {}, unresolvedSettings: {}, functionName: null, inlineCode: false, sources: {}, problems: [],
      reservedConcurrency: 2,
    };
    let release: () => void = () => undefined;
    h.hold = new Promise<void>((resolve) => (release = resolve));
    const first = h.session.invoke({ n: 1 }, false);
    const second = h.session.invoke({ n: 2 }, false);
    for (let i = 0; i < 100 && h.engines.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(h.engines.length, 2, 'the second Invoke Warm started a second environment instead of waiting');
    const third = await h.session.invoke({ n: 3 }, false);
    assert.equal(third.ok, false);
    assert.match(third.ok ? '' : third.message, /^handler\.test: throttled, nothing ran: Rate Exceeded\. All 2 environments the function may have are busy/);
    assert.equal(!third.ok && third.throttled, true, 'marked throttled, so a burst reports it with the others');
    assert.ok(h.logs.some((line) => /^error .*throttled, nothing ran/.test(line)), 'and the log says so');
    release();
    const outcomes = [await first, await second];
    const records = outcomes.map((outcome) => (outcome.ok ? outcome.record : assert.fail(outcome.message)));
    assert.deepEqual(records.map((record) => record.environment).sort(), [0, 1]);
    assert.deepEqual(records.map((record) => record.generation).sort(), [1, 2], 'two processes, numbered apart');
    assert.equal(h.session.history().length, 2, 'the throttled one left no record');
  });

  it('tells which Managed Instances options the next invocation runs with: the settings, else the template, else none', async () => {
    const h = harness();
    assert.equal(await h.session.managedInstances(), undefined, 'the default mode');
    h.declared = {
      id: 'test', kind: 'sam', configFile: '/w/template.yaml', line: 8, handler: 'handler.test', codeDir: '/w/freeze-demo',
      handlerFile: '/w/freeze-demo/handler.js', exportName: 'test', nestedPath: [], runtime: 'nodejs22.x', timeoutSeconds: 3, memoryMB: 128,
      architecture: 'x86_64', environment: {}, unresolvedEnvironment: {}, unresolvedSettings: {}, functionName: null, inlineCode: false, sources: {}, problems: [],
      managedInstances: { concurrency: 16 },
    };
    h.values = { 'managedInstances.maxWorkers': 1 };
    assert.deepEqual(await h.session.managedInstances(), { concurrency: 16, workers: 1 }, 'the template');
    h.values = { 'managedInstances.maxWorkers': 2, 'managedInstances.concurrency': 4 };
    assert.deepEqual(await h.session.managedInstances(), { concurrency: 4, workers: 2 }, 'the setting wins');
  });
});
