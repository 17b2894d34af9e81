/**
 * Sample panel state for the motivating scenario (arrayA..arrayD, three warm invocations),
 * shaped exactly like the engine's records. Used by the webview tests and by
 * scripts/preview-panel.mjs; never bundled into the panel.
 */
import type { InvocationRecord, ModuleVariable, ValueNode, Variable } from '../../../src/core/model/snapshot';
import type { PanelState } from '../../../src/webview-protocol/panel';
import { growthOf, PANEL_PROTOCOL_VERSION, toTimelineEntry } from '../../../src/webview-protocol/panel';

function strings(text: string, count: number): ValueNode {
  return {
    type: 'array',
    className: 'Array',
    length: count,
    items: Array.from({ length: count }, () => ({ type: 'string', value: text, length: text.length, truncated: false }) as ValueNode),
    truncated: false,
  };
}

const FUNCTION_NODE: ValueNode = { type: 'function', name: 'test', kind: 'arrow' };

function logsFor(n: number, requestId: string, duration: number, init: number | null, maxMem: number): string {
  const b = Array.from({ length: n }, () => "'B'").join(', ');
  const t = `2026-11-26T15:0${n}:00.000Z`;
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    `${t}\t${requestId}\tINFO\tArray A: [ 'A' ]`,
    `${t}\t${requestId}\tINFO\tArray B: [ ${b} ]`,
    `${t}\t${requestId}\tINFO\tArray C: [ 'C' ]`,
    `${t}\t${requestId}\tINFO\tArray D: [ 'D' ]`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration + (init ?? 0))} ms\tMemory Size: 128 MB\tMax Memory Used: ${maxMem} MB` +
      (init === null ? '' : `\tInit Duration: ${init.toFixed(2)} ms`),
  ].join('\n');
}

/** The record of invocation `n` (1-based) of the scenario in one warm run. */
export function scenarioRecord(n: number): InvocationRecord {
  const requestId = `8f5c${n}a1e-2b7d-4c3e-9a10-5d6e7f80912${n}`;
  const cold = n === 1;
  const durationMs = cold ? 4.81 : 1.2 + n * 0.07;
  const initDurationMs = cold ? 38.64 : null;
  const maxMemoryUsedMB = 52 + n;
  const series = Array.from({ length: n }, (_, i) => i + 1);
  const moduleScope: ModuleVariable[] = [
    { name: 'arrayA', kind: 'var', value: strings('A', 0), change: cold ? 'added' : 'unchanged', size: 0, growing: false, sizeSeries: series.map(() => 0), itemSeries: series.map(() => 0) },
    { name: 'arrayB', kind: 'var', value: strings('B', n), change: cold ? 'added' : 'changed', size: n, growing: n >= 3, sizeSeries: series, itemSeries: series },
  ];
  const handlerScope: Variable[] = [
    { name: 'arrayC', kind: 'var', value: strings('C', 0), change: cold ? 'added' : 'unchanged' },
    { name: 'arrayD', kind: 'var', value: strings('D', 1), change: cold ? 'added' : 'unchanged' },
  ];
  const parameters: Variable[] = [
    { name: 'event', kind: 'parameter', value: { type: 'object', className: 'Object', properties: [], truncated: false }, change: cold ? 'added' : 'unchanged' },
    {
      name: 'context',
      kind: 'parameter',
      value: {
        type: 'object',
        className: 'Object',
        properties: [
          { name: 'functionName', value: { type: 'string', value: 'handler', length: 7, truncated: false } },
          { name: 'memoryLimitInMB', value: { type: 'string', value: '128', length: 3, truncated: false } },
          { name: 'awsRequestId', value: { type: 'string', value: requestId, length: requestId.length, truncated: false } },
          { name: 'getRemainingTimeInMillis', value: { type: 'function', name: 'getRemainingTimeInMillis', kind: 'function' } },
        ],
        truncated: false,
      },
      change: cold ? 'added' : 'changed',
    },
    { name: 'callback', kind: 'parameter', value: FUNCTION_NODE, change: cold ? 'added' : 'unchanged' },
  ];
  return {
    invocation: n,
    source: 'local',
    cold,
    requestId,
    startedAt: `2026-11-26T15:0${n}:00.000Z`,
    durationMs,
    billedDurationMs: Math.ceil(durationMs + (initDurationMs ?? 0)),
    initDurationMs,
    memorySizeMB: 128,
    maxMemoryUsedMB,
    response: null,
    error: null,
    logs: logsFor(n, requestId, durationMs, initDurationMs, maxMemoryUsedMB),
    moduleScope,
    handlerScope,
    parameters,
    memory: { rssBytes: maxMemoryUsedMB * 1024 * 1024, heapUsedBytes: (5.1 + n * 0.05) * 1024 * 1024 },
    reset: null,
    captureError: null,
    runtimeVersion: 'v20.20.2',
    runtime: 'nodejs20.x',
    runtimeSource: 'template',
    nodeMismatch: null,
    generation: 1,
    growing: n >= 3 ? ['arrayB'] : [],
  };
}

/** Panel state after `count` warm invocations of the scenario (default 3). */
export function scenarioState(count = 3): PanelState {
  const records = Array.from({ length: count }, (_, i) => scenarioRecord(i + 1));
  const latest = records[records.length - 1] ?? null;
  return {
    protocolVersion: PANEL_PROTOCOL_VERSION,
    handler: { file: '/work/examples/freeze-demo/handler.js', exportName: 'test', title: 'handler.test', relativePath: 'examples/freeze-demo/handler.js' },
    environment: { state: 'warm', frozen: true, warmInvocations: count, generation: 1, nodeVersion: 'v20.20.2', lastReset: null },
    nodeVersion: 'v20.20.2',
    settings: { timeoutSeconds: 3, memoryMB: 128, freeze: true, source: 'defaults' },
    eventName: null,
    timeline: records.map(toTimelineEntry),
    selected: latest,
    growth: growthOf(latest),
    estimate: latest?.memoryEstimate ?? null,
    busy: null,
    errors: [],
  };
}
