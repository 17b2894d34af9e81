import * as assert from 'node:assert/strict';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';
import {
  emptyUiState,
  growthOf,
  isHostToWebviewMessage,
  isInvocationRecord,
  isPanelState,
  isPersistedPanelState,
  isWebviewToHostMessage,
  toTimelineEntry,
} from '../../src/webview-protocol/panel';
import { createNonce, panelCsp, panelHtml } from '../../src/webview-protocol/html';
import type { BusyKind, PanelState, SettingsSource } from '../../src/webview-protocol/panel';
import type { BindingKind, Change, InvocationRecord, ResetReason } from '../../src/core/model/snapshot';
import type { EnvironmentState } from '../../src/core/model/environment-status';

describe('webview protocol: webview -> host guard', () => {
  it('accepts the well-formed messages', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'invoke', cold: false },
      { type: 'invoke', cold: true },
      { type: 'reset' },
      { type: 'selectEvent' },
      { type: 'selectInvocation', invocation: 3 },
      { type: 'openOutput' },
    ]) {
      assert.equal(isWebviewToHostMessage(message), true, JSON.stringify(message));
    }
  });

  it('rejects anything else', () => {
    for (const message of [
      null, undefined, 'ready', 42, [], {}, { type: 'nope' }, { type: 'invoke' }, { type: 'invoke', cold: 'yes' },
      { type: 'selectInvocation' }, { type: 'selectInvocation', invocation: 0 }, { type: 'selectInvocation', invocation: 1.5 },
      { type: 'selectInvocation', invocation: '3' }, { type: 'selectInvocation', invocation: Number.POSITIVE_INFINITY },
      { type: '__proto__' }, { type: 'toString' },
    ]) {
      assert.equal(isWebviewToHostMessage(message), false, JSON.stringify(message) ?? String(message));
    }
  });
});

describe('webview protocol: host -> webview guard', () => {
  it('accepts the scenario state and a detail answer', () => {
    const state = scenarioState(3);
    assert.equal(isPanelState(state), true);
    assert.equal(isHostToWebviewMessage({ type: 'state', state }), true);
    assert.equal(isHostToWebviewMessage(JSON.parse(JSON.stringify({ type: 'state', state }))), true, 'survives JSON');
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 2, record: scenarioRecord(2) }), true);
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 2, record: null }), true);
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 2, record: { ...scenarioRecord(2), environment: 1 } }), true, 'a record that says which environment ran it');
  });

  it('accepts a state with no invocation yet and without settings', () => {
    const state = { ...scenarioState(0) };
    delete state.settings;
    assert.equal(state.selected, null);
    assert.equal(isPanelState(state), true);
  });

  it('rejects malformed states', () => {
    const good = scenarioState(3);
    const broken: unknown[] = [
      { ...good, protocolVersion: 99 },
      { ...good, handler: { file: 1, exportName: 'test', title: 't' } },
      { ...good, environment: { ...good.environment, state: 'hot' } },
      { ...good, timeline: [{ ...good.timeline[0], invocation: -1 }] },
      { ...good, timeline: [{ ...good.timeline[0], reset: 'because' }] },
      { ...good, selected: { ...good.selected, moduleScope: [{ name: 'x' }] } },
      { ...good, selected: { ...good.selected, handlerScope: [{ name: 'x', kind: 'var', change: 'changed', value: 'raw' }] } },
      { ...good, selected: { ...good.selected, error: { errorType: 'E' } } },
      { ...good, selected: { ...good.selected, environment: -1 } },
      { ...good, selected: { ...good.selected, environment: '0' } },
      { ...good, growth: [{ name: 'arrayB', kind: 'var', sizeSeries: ['1'] }] },
      { ...good, busy: 'dancing' },
      { ...good, errors: ['oops'] },
      { ...good, settings: { ...good.settings, source: 'guess' } },
      { ...good, settings: { ...good.settings, runtime: { profile: 'nodejs16.x', source: 'template', origin: 'from template.yaml' } } },
      { ...good, settings: { ...good.settings, runtime: { profile: 'nodejs22.x', source: 'guess', origin: 'x' } } },
    ];
    for (const state of broken) assert.equal(isPanelState(state), false, JSON.stringify(state).slice(0, 200));
    assert.equal(isHostToWebviewMessage({ type: 'detail', invocation: 0, record: null }), false);
    assert.equal(isHostToWebviewMessage({ type: 'state' }), false);
    assert.equal(isHostToWebviewMessage({ type: 'eval', code: 'alert(1)' }), false);
  });

  it("accepts records with or without the runtime fields (history saved by older versions has none), never malformed ones", () => {
    const record = scenarioRecord(2);
    const older: Record<string, unknown> = { ...record };
    for (const field of ['runtime', 'runtimeSource', 'nodeMismatch']) delete older[field];
    assert.equal(isInvocationRecord(older), true, 'an older record');
    assert.equal(isInvocationRecord({ ...record, runtime: 'nodejs24.x', runtimeSource: 'flag', nodeMismatch: 'Node 20 ran it.' }), true);
    for (const bad of [{ runtime: 'nodejs16.x' }, { runtime: 24 }, { runtimeSource: 'guess' }, { nodeMismatch: 1 }]) {
      assert.equal(isInvocationRecord({ ...record, ...bad }), false, JSON.stringify(bad));
    }
  });

  it('builds compact timeline entries and growth series from records', () => {
    const record = scenarioRecord(3);
    const entry = toTimelineEntry(record);
    assert.deepEqual(Object.keys(entry).sort(), [
      'cold', 'durationMs', 'error', 'generation', 'growing', 'heapUsedBytes', 'initDurationMs', 'invocation',
      'maxMemoryUsedMB', 'memorySizeMB', 'reset', 'source', 'startedAt',
    ]);
    assert.equal(entry.invocation, 3);
    assert.equal(entry.error, false);
    assert.deepEqual(entry.growing, ['arrayB']);
    assert.deepEqual(growthOf(record), [{ name: 'arrayB', kind: 'var', sizeSeries: [1, 2, 3], itemSeries: [1, 2, 3] }]);
    assert.deepEqual(growthOf(scenarioRecord(1)), []);
    assert.deepEqual(growthOf(null), []);
  });
});

describe('webview protocol: the guards accept every member of every union', () => {
  // All members of each union, as records: a member added to a union fails to compile here
  // until it is listed, and the tests below then check that the guards let it through.
  const resetReasons: Record<ResetReason, true> = {
    requested: true, timeout: true, 'out-of-memory': true, 'process-exit': true, 'uncaught-exception': true,
    'unhandled-rejection': true, 'init-error': true, crashed: true,
  };
  const bindingKinds: Record<BindingKind, true> = {
    var: true, let: true, const: true, function: true, class: true, import: true, parameter: true, local: true, block: true,
    catch: true, unknown: true,
  };
  const changes: Record<Change, true> = { added: true, changed: true, unchanged: true, removed: true };
  const environmentStates: Record<EnvironmentState, true> = { cold: true, initializing: true, warm: true, invoking: true };
  const settingsSources: Record<SettingsSource, true> = { defaults: true, settings: true, sam: true, serverless: true };
  const busyKinds: Record<NonNullable<BusyKind>, true> = { 'invoke-warm': true, 'invoke-cold': true, reset: true, 'measure-retained': true };
  const membersOf = <T extends string>(record: Record<T, true>) => Object.keys(record) as T[];
  /** The message as the webview receives it: through JSON, checked by the guard. */
  const arrives = (message: unknown) => isHostToWebviewMessage(JSON.parse(JSON.stringify(message)));

  it('lets through a state and a detail message carrying each reset reason the engine can produce', () => {
    for (const reason of membersOf(resetReasons)) {
      const state = scenarioState(3);
      const selected: InvocationRecord = { ...scenarioRecord(3), reset: reason };
      const withReset: PanelState = {
        ...state,
        environment: { ...state.environment, state: 'cold', lastReset: reason },
        timeline: state.timeline.map((entry) => ({ ...entry, reset: reason })),
        selected,
      };
      assert.equal(arrives({ type: 'state', state: withReset }), true, reason);
      assert.equal(arrives({ type: 'detail', invocation: 3, record: selected }), true, reason);
    }
  });

  it('lets through each binding kind, change, environment state, settings source and busy kind', () => {
    const state = scenarioState(3);
    const record = scenarioRecord(3);
    for (const kind of membersOf(bindingKinds)) {
      const selected = { ...record, handlerScope: record.handlerScope.map((v) => ({ ...v, kind })), moduleScope: record.moduleScope.map((v) => ({ ...v, kind })) };
      assert.equal(arrives({ type: 'state', state: { ...state, selected, growth: state.growth.map((g) => ({ ...g, kind })) } }), true, kind);
    }
    for (const change of membersOf(changes)) {
      const selected = { ...record, handlerScope: record.handlerScope.map((v) => ({ ...v, change })) };
      assert.equal(arrives({ type: 'state', state: { ...state, selected } }), true, change);
    }
    for (const environment of membersOf(environmentStates)) {
      assert.equal(arrives({ type: 'state', state: { ...state, environment: { ...state.environment, state: environment } } }), true, environment);
    }
    for (const source of membersOf(settingsSources)) {
      assert.equal(arrives({ type: 'state', state: { ...state, settings: { timeoutSeconds: 3, memoryMB: 128, freeze: true, source } } }), true, source);
    }
    for (const busy of membersOf(busyKinds)) assert.equal(arrives({ type: 'state', state: { ...state, busy } }), true, busy);
  });
});

describe('webview protocol: persisted state guard', () => {
  it('accepts saved UI state and rejects tampered state', () => {
    const saved = { version: 1, handler: { file: '/a/handler.js', exportName: 'test' }, ui: { ...emptyUiState(), selectedInvocation: 2, expanded: ['m:arrayB'] } };
    assert.equal(isPersistedPanelState(saved), true);
    assert.equal(isPersistedPanelState({ ...saved, version: 0 }), false);
    assert.equal(isPersistedPanelState({ ...saved, handler: { file: '/a' } }), false);
    assert.equal(isPersistedPanelState({ ...saved, ui: { ...saved.ui, scrollTop: -5 } }), false);
    assert.equal(isPersistedPanelState({ ...saved, ui: { ...saved.ui, expanded: [1] } }), false);
    assert.equal(isPersistedPanelState({ ...saved, ui: { ...saved.ui, sections: { logs: 'open' } } }), false);
    assert.equal(isPersistedPanelState(undefined), false);
  });
});

describe('webview protocol: panelHtml', () => {
  const options = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'abcdefghijklmnopqrstuvwxyz012345',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/media/panel.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/media/panel.css',
    codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/media/codicon.css',
    title: 'handler.<b>test</b>',
  };

  it('sets a strict CSP with only the nonce script and the extension sources', () => {
    const html = panelHtml(options);
    const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(match, 'CSP meta present');
    const directives = new Map(match[1].split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('style-src'), [options.cspSource]);
    assert.deepEqual(directives.get('font-src'), [options.cspSource]);
    assert.deepEqual(directives.get('img-src'), [options.cspSource, 'data:']);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${options.nonce}'`]);
    assert.equal(match[1], panelCsp(options.cspSource, options.nonce));
    assert.doesNotMatch(match[1], /unsafe-inline|unsafe-eval|\*/);
  });

  it('loads one nonce script and the two stylesheets, with no inline script or style', () => {
    const html = panelHtml(options);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${options.nonce}" src="${options.scriptUri}">`]);
    assert.match(html, /<\/script>/);
    assert.doesNotMatch(html, /<script[^>]*>[^<]/, 'no inline script body');
    assert.doesNotMatch(html, /<style\b|\sstyle=/i, 'no inline style');
    assert.ok(html.includes(`<link rel="stylesheet" href="${options.styleUri}">`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${options.codiconUri}">`));
    assert.ok(html.includes('<title>handler.&lt;b&gt;test&lt;/b&gt;</title>'), 'title escaped');
  });

  it('refuses a weak nonce or a cspSource that could inject a directive', () => {
    assert.throws(() => panelHtml({ ...options, nonce: 'short' }), /nonce/);
    assert.throws(() => panelHtml({ ...options, nonce: "abcdefghijklmnop' 'unsafe-inline" }), /nonce/);
    assert.throws(() => panelHtml({ ...options, cspSource: "x; script-src 'unsafe-inline'" }), /cspSource/);
  });

  it('creates distinct nonces that panelHtml accepts', () => {
    const a = createNonce();
    const b = createNonce();
    assert.notEqual(a, b);
    assert.equal(a.length, 32);
    assert.doesNotThrow(() => panelHtml({ ...options, nonce: a }));
  });
});
