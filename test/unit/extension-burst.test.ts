import { strict as assert } from 'node:assert';
import { fake } from './fake-vscode';
import { scenarioRecord } from '../../media/src/sample/scenario';
import type { InvocationRecord } from '../../src/core/model/snapshot';
import type { ManagedInstancesOptions } from '../../src/core/runtime/environment-api';
import { burstSizeProblem, defaultBurstSize, parseBurstSize } from '../../src/vscode/burst';
import { commandId } from '../../src/vscode/command-ids';
import { registerCommands, type CommandTargets } from '../../src/vscode/command-registry';
import type { InvokeOutcome } from '../../src/vscode/handler-session';
import { load } from '../../src/vscode/lazy';
import { LocalCommands, type LocalCommandDeps } from '../../src/vscode/local-commands';

const REF = { fileUri: 'file:///w/lanes/handler.js', exportName: 'handler' };

/** A handler session whose invocations wait until the test releases them, answering with `outcome(n)` (n from 1). */
class HeldSession {
  managed: ManagedInstancesOptions | undefined;
  events: unknown[] = [];
  problems: string[] = [];
  outcome: (n: number) => InvokeOutcome = (n) => ({ ok: true, record: { ...scenarioRecord(1), invocation: n } });
  private release: () => void = () => undefined;
  private readonly held = new Promise<void>((resolve) => (this.release = resolve));

  async managedInstances(): Promise<ManagedInstancesOptions | undefined> {
    return this.managed;
  }
  status(): undefined {
    return undefined;
  }
  reportProblem(message: string): void {
    this.problems.push(message);
  }
  async invoke(event: unknown, cold: boolean): Promise<InvokeOutcome> {
    assert.equal(cold, false, 'a burst is warm invocations');
    this.events.push(event);
    const n = this.events.length;
    await this.held;
    return this.outcome(n);
  }
  finish(): void {
    this.release();
  }
}

interface Harness {
  session: HeldSession;
  shownPanels: number;
  /** What the handler's event choice loads. */
  event: { ok: true; event: unknown; label: string } | { ok: false; message: string };
  run(): Promise<InvocationRecord[] | undefined>;
}

function harness(): Harness {
  const h: Harness = {
    session: new HeldSession(),
    shownPanels: 0,
    event: { ok: true, event: { user: 'alice' }, label: 'lanes/event.json' },
    run: async () => (await fake.commands.get(commandId('invokeConcurrently'))?.(REF.fileUri, REF.exportName)) as InvocationRecord[] | undefined,
  };
  const deps = {
    sessions: { getOrCreate: () => h.session },
    events: { load: async () => h.event },
    panels: { show: () => void (h.shownPanels += 1), activeHandler: () => undefined },
    handlers: {},
    log: { show: () => undefined },
  } as unknown as LocalCommandDeps;
  registerCommands({ local: new LocalCommands(deps), deployed: {}, log: {} } as unknown as CommandTargets);
  return h;
}

/**
 * Lets the command's awaits run until it has started `count` invocations (or gives up after 5 s:
 * some of its steps wait for I/O, which a busy machine can hold up for more than a few turns).
 */
async function started(h: Harness, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (h.session.events.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('extension: Invoke Warm Concurrently', () => {
  // The command loads its helpers on first use (lazy.ts); loaded here, its steps take a few event-loop turns.
  before(async () => void (await load('burst')));
  beforeEach(() => fake.reset());

  it('accepts a whole number from 2 to 100 and says what it wants otherwise', () => {
    for (const text of ['2', '8', ' 16 ', '100']) {
      assert.equal(burstSizeProblem(text), undefined, text);
      assert.equal(parseBurstSize(text), Number(text));
    }
    for (const text of ['', '1', '0', '101', '2.5', '-3', '8x', '1e1', 'eight']) {
      assert.equal(burstSizeProblem(text), 'A whole number from 2 to 100.', JSON.stringify(text));
      assert.equal(parseBurstSize(text), undefined, JSON.stringify(text));
    }
  });

  it('proposes the Managed Instances concurrency when the mode is on, else 2', () => {
    assert.equal(defaultBurstSize(undefined), 2);
    assert.equal(defaultBurstSize({ concurrency: 4 }), 4);
    assert.equal(defaultBurstSize({ concurrency: 1 }), 2);
    assert.equal(defaultBurstSize({ concurrency: 1000 }), 100);
  });

  it('asks how many with the handler’s default, then starts them all at once with the chosen event', async () => {
    const h = harness();
    h.session.managed = { concurrency: 4, workers: 2 };
    fake.inputAnswers = ['8'];
    const running = h.run();
    await started(h, 8);
    assert.equal(h.session.events.length, 8, 'all eight in flight before any finished');
    assert.deepEqual(h.session.events, Array(8).fill({ user: 'alice' }));
    assert.equal(fake.inputBoxes.length, 1);
    const box = fake.inputBoxes[0];
    assert.equal(box.value, '4', 'the Managed Instances concurrency');
    assert.match(box.prompt ?? '', /up to 4 in flight per environment/);
    assert.equal(box.validateInput?.('8'), undefined);
    assert.equal(box.validateInput?.('1'), 'A whole number from 2 to 100.');
    assert.deepEqual(fake.progress, ['Warm State: 8 invocations of handler.handler in flight…']);
    assert.equal(h.shownPanels, 1, 'the panel shows the burst as it lands');
    h.session.finish();
    const records = await running;
    assert.deepEqual(records?.map((record) => record.invocation), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(fake.shown, [], 'nothing to report');
  });

  it('proposes 2 in the default mode', async () => {
    const h = harness();
    fake.inputAnswers = [undefined];
    await h.run();
    assert.equal(fake.inputBoxes[0].value, '2');
    assert.match(fake.inputBoxes[0].prompt ?? '', /an environment of its own/);
  });

  it('reports the throttled ones in one warning and the failed ones in one error', async () => {
    const h = harness();
    h.session.outcome = (n) => {
      if (n <= 3) return { ok: true, record: { ...scenarioRecord(1), invocation: n } };
      if (n <= 5) return { ok: false, message: 'handler.handler: the engine failed: spawn EAGAIN' };
      return { ok: false, message: 'handler.handler: throttled, nothing ran: Rate Exceeded.', throttled: true };
    };
    fake.inputAnswers = ['10'];
    const running = h.run();
    await started(h, 10);
    h.session.finish();
    const records = await running;
    assert.deepEqual(records?.map((record) => record.invocation), [1, 2, 3], 'the records of those that ran');
    assert.deepEqual(fake.shown.map((shown) => shown.level), ['warning', 'error'], 'one message each, not one per invocation');
    assert.match(fake.shown[0].message, /^Warm State: handler\.handler: 5 of 10 invocations were throttled and did not run \(Rate Exceeded/);
    assert.equal(fake.shown[1].message, 'Warm State: handler.handler: the engine failed: spawn EAGAIN (2 of 10 invocations failed to run; the log has each)');
  });

  it('says so when every invocation was throttled', async () => {
    const h = harness();
    h.session.outcome = () => ({ ok: false, message: 'throttled', throttled: true });
    fake.inputAnswers = ['3'];
    const running = h.run();
    await started(h, 3);
    h.session.finish();
    assert.deepEqual(await running, []);
    assert.match(fake.shown.map((shown) => shown.message).join('\n'), /^Warm State: handler\.handler: All 3 invocations were throttled/);
    assert.equal(fake.shown.length, 1);
  });

  it('starts nothing when the user presses Escape or the event cannot be read', async () => {
    const h = harness();
    fake.inputAnswers = [undefined];
    assert.equal(await h.run(), undefined);
    assert.equal(h.shownPanels, 0);
    h.event = { ok: false, message: 'lanes/event.json is not valid JSON: Unexpected token' };
    fake.inputAnswers = ['4'];
    assert.equal(await h.run(), undefined);
    assert.deepEqual(h.session.events, [], 'nothing started');
    assert.deepEqual(h.session.problems, ['lanes/event.json is not valid JSON: Unexpected token'], 'the panel shows why');
    assert.deepEqual(fake.shown.map((shown) => shown.level), ['error']);
    assert.deepEqual(fake.progress, []);
  });

  it('refuses an invalid count that got past the input box (a hostile or scripted answer)', async () => {
    const h = harness();
    fake.inputAnswers = ['1000'];
    assert.equal(await h.run(), undefined);
    assert.deepEqual(h.session.events, []);
    assert.match(fake.shown[0]?.message ?? '', /"1000" is not a number of invocations: A whole number from 2 to 100\./);
  });
});
