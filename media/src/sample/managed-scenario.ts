/**
 * Sample panel state for Managed Instances (issue 12): one environment, 2 workers, 4
 * invocations in flight per worker, two waves of 8, AWS's `state.currentUser` example with one
 * cross-talk finding, and a per-worker cache that grows. Shaped like the engine's records.
 * Used by the webview tests and scripts/preview-panel.mjs; never bundled into the panel.
 */
import type { CrossTalkFinding, InvocationRecord, ModuleVariable, ValueNode } from '../../../src/core/model/snapshot';
import type { PanelState } from '../../../src/webview-protocol/panel';
import { growthOf, toTimelineEntry } from '../../../src/webview-protocol/panel';
import { scenarioRecord, scenarioState } from './scenario';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const HANDLER = '/work/examples/managed-instances/handler.mjs';

function str(value: string): ValueNode {
  return { type: 'string', value, length: value.length, truncated: false };
}

export function managedRequestId(n: number): string {
  return `5e1d${String(n).padStart(4, '0')}-7a2b-4c3d-8e4f-a0b1c2d3e4${String(n).padStart(2, '0')}`;
}

interface Plan {
  worker: number;
  /** ms after T0 the request arrived. */
  at: number;
  durationMs: number;
  initDurationMs: number | null;
}

/** Two waves; in each, 4 requests per worker in flight at once. */
function plans(): Plan[] {
  const out: Plan[] = [];
  for (const wave of [0, 1]) {
    for (let slot = 0; slot < 4; slot++) {
      for (const worker of [0, 1]) {
        const cold = wave === 0 && slot === 0;
        const at = wave * 330 + (cold ? worker * 4 : 128 + worker * 9 + slot * 14);
        out.push({ worker, at, durationMs: 46 + ((slot * 17 + worker * 23 + wave * 11) % 50), initDurationMs: cold ? 118 + worker * 14 : null });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The finding of the latest invocation: it set state.currentUser, awaited, and read another request's user. */
export function managedFinding(latest: number, interloper: number): CrossTalkFinding {
  return {
    kind: 'cross-talk',
    variable: 'state.currentUser',
    worker: 1,
    writer: { requestId: managedRequestId(latest), line: 9 },
    interloper: { requestId: managedRequestId(interloper), line: 9 },
    reader: { requestId: managedRequestId(latest), line: 12 },
  };
}

export function managedRecords(): InvocationRecord[] {
  const all = plans();
  const perWorker = [0, 0];
  const records = all.map((plan, index): InvocationRecord => {
    const n = index + 1;
    const base = scenarioRecord(2);
    const served = ++perWorker[plan.worker];
    const series = Array.from({ length: served }, (_, i) => i + 1);
    const moduleScope: ModuleVariable[] = [
      { name: 'state', kind: 'const', change: served === 1 ? 'added' : 'changed', size: 1, growing: false, sizeSeries: series.map(() => 1),
        value: { type: 'object', className: 'Object', properties: [{ name: 'currentUser', value: str(`user-${n}`) }], truncated: false } },
      { name: 'seen', kind: 'const', change: served === 1 ? 'added' : 'changed', size: served, growing: served >= 3, sizeSeries: series, itemSeries: series,
        value: { type: 'array', className: 'Array', length: served, items: series.map((i) => str(`user-${i}`)), truncated: false } },
    ];
    const inFlight = all.filter((other) => other !== plan && other.at < plan.at + (plan.initDurationMs ?? 0) + plan.durationMs && plan.at < other.at + (other.initDurationMs ?? 0) + other.durationMs);
    return {
      ...base,
      invocation: n,
      requestId: managedRequestId(n),
      cold: plan.initDurationMs !== null,
      startedAt: new Date(T0 + plan.at).toISOString(),
      durationMs: plan.durationMs,
      billedDurationMs: Math.ceil(plan.durationMs),
      initDurationMs: plan.initDurationMs,
      // Managed Instances functions have 2 GB or more (the header's figure, from the settings below).
      memorySizeMB: 2048,
      logs: `START RequestId: ${managedRequestId(n)} Version: $LATEST\nEND RequestId: ${managedRequestId(n)}`,
      moduleScope,
      handlerScope: [{ name: 'user', kind: 'const', change: 'added', value: str(`user-${n}`) }],
      runtimeVersion: 'v22.21.1',
      runtime: 'nodejs22.x',
      environment: 0,
      worker: plan.worker,
      overlapping: inFlight.map((other) => managedRequestId(all.indexOf(other) + 1)),
      growing: served >= 3 ? ['seen'] : [],
      memoryEstimate: undefined,
    };
  });
  const latest = records[records.length - 1];
  const interloper = records.filter((r) => r.worker === latest.worker && r.invocation !== latest.invocation).pop()!;
  latest.findings = [managedFinding(latest.invocation, interloper.invocation)];
  return records;
}

export function managedState(): PanelState {
  const records = managedRecords();
  const latest = records[records.length - 1];
  const base = scenarioState(0);
  return {
    ...base,
    handler: { file: HANDLER, exportName: 'handler', title: 'handler.handler', relativePath: 'examples/managed-instances/handler.mjs' },
    environment: { state: 'warm', frozen: false, warmInvocations: records.length, generation: 1, nodeVersion: 'v22.21.1', lastReset: null },
    nodeVersion: 'v22.21.1',
    settings: { timeoutSeconds: 3, memoryMB: 2048, freeze: false, source: 'sam' },
    timeline: records.map(toTimelineEntry),
    selected: latest,
    growth: growthOf(latest),
    estimate: null,
  };
}
