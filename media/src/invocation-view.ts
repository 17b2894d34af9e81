/**
 * The selected invocation: summary, module scope and handler scope (clearly apart),
 * parameters (collapsed), response or error, and logs. Everything is text nodes.
 */
import type { Change, InvocationRecord, ModuleVariable, PendingWork, Variable } from '../../src/core/model/snapshot';
import { codicon, el, spaced } from './dom';
import { formatCount } from '../../src/core/model/preview';
import { bytesToMB, describeReset, formatBilledMs, formatMB, formatMs, formatSeries, plural } from './format';
import { asNode } from '../../src/core/model/node-fields';
import { type TreeRootItem, ValueTree } from './value-tree';
import { findingsBody } from './findings-view';
import { laneName, laneOf } from './lanes';
import { initProfileBody, initProfileTitle, pendingBody, retainedDecoration, retainedText, type SourceLinks } from './memory-view';
import { describeOverMemorySize } from '../../src/core/model/memory-trend';

export interface InvocationViewContext {
  doc: Document;
  isExpanded(path: string): boolean;
  onToggle(path: string, expanded: boolean): void;
  isSectionOpen(id: string, fallback: boolean): boolean;
  onSection(id: string, open: boolean): void;
  openOutput(): void;
  /** Go-to-line (init profile, pending work): a message to the host. */
  links: SourceLinks;
  /** What ran in the next invocation of the same environment; null while there is none yet. */
  ranNext: readonly PendingWork[] | null;
}

/** Longest response or log text put in the DOM; the rest is summarized. */
const MAX_TEXT = 200_000;

const CHANGE_TEXT: Record<Change, string> = { added: 'added', changed: 'changed', unchanged: 'unchanged', removed: 'removed' };

function changeBadge(doc: Document, change: string): HTMLElement {
  const known = (CHANGE_TEXT as Record<string, string>)[change] ?? 'unknown';
  return el(doc, 'span', { class: `ws-change ws-change-${known}`, text: known, attrs: { title: `${known} since the previous invocation` } });
}

function capped(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n… ${formatCount(text.length - MAX_TEXT)} more characters not shown` : text;
}

/** A collapsible section whose body is built on first open. */
function section(
  ctx: InvocationViewContext,
  id: string,
  options: { title: string; subtitle?: string; icon: string; count?: string; countNoun?: string; defaultOpen: boolean; extraClass?: string },
  buildBody: () => Node,
): HTMLElement {
  const { doc } = ctx;
  const bodyId = `ws-section-${id}`;
  const open = ctx.isSectionOpen(id, options.defaultOpen);
  const toggle = el(doc, 'button', {
    class: 'ws-section-toggle',
    attrs: { type: 'button', id: `${bodyId}-h`, 'aria-expanded': open ? 'true' : 'false', 'aria-controls': bodyId },
  },
  codicon(doc, open ? 'chevron-down' : 'chevron-right', 'ws-section-twisty'),
  codicon(doc, options.icon, 'ws-section-icon'),
  ...spaced(doc,
    el(doc, 'span', { class: 'ws-section-title', text: options.title }),
    options.subtitle ? el(doc, 'span', { class: 'ws-section-subtitle', text: options.subtitle }) : null,
    options.count ? el(doc, 'span', { class: 'ws-count', text: options.count }) : null,
    options.count && options.countNoun ? el(doc, 'span', { class: 'ws-sr-only', text: options.countNoun }) : null,
  ),
  );
  const heading = el(doc, 'h3', { class: 'ws-section-heading' }, toggle);
  const body = el(doc, 'div', { class: 'ws-section-body', attrs: { id: bodyId, hidden: !open } });
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    body.appendChild(buildBody());
  };
  if (open) build();
  toggle.addEventListener('click', () => {
    const nowOpen = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', nowOpen ? 'true' : 'false');
    const twisty = toggle.querySelector('.ws-section-twisty');
    twisty?.classList.replace(nowOpen ? 'codicon-chevron-right' : 'codicon-chevron-down', nowOpen ? 'codicon-chevron-down' : 'codicon-chevron-right');
    if (nowOpen) build();
    body.hidden = !nowOpen;
    ctx.onSection(id, nowOpen);
  });
  return el(doc, 'section', { class: `ws-section${options.extraClass ? ` ${options.extraClass}` : ''}`, attrs: { 'aria-labelledby': `${bodyId}-h` } },
    heading, body);
}

function variableRoot(doc: Document, variable: Variable | ModuleVariable, isModule: boolean): TreeRootItem {
  const change = typeof variable.change === 'string' ? variable.change : 'unknown';
  const decorations: Node[] = [changeBadge(doc, change)];
  let description: string | undefined;
  if (isModule) {
    const mv = variable as ModuleVariable;
    if (mv.growing) {
      // The sparkline lives in the growth warning; the row keeps just the badge so the value stays readable.
      decorations.push(
        el(doc, 'span', { class: 'ws-growing', attrs: { title: `Size over this warm run: ${formatSeries(mv.sizeSeries)}` } }, codicon(doc, 'arrow-circle-up'), el(doc, 'span', { text: 'growing' })),
      );
      description = `sizes ${formatSeries(mv.sizeSeries)}`;
    }
    const retained = retainedDecoration(doc, mv);
    if (retained) {
      decorations.push(retained);
      description = [description, retainedText(mv)].filter(Boolean).join(', ');
    }
  }
  return {
    name: variable.name,
    value: asNode(variable.value),
    kindLabel: variable.kind,
    description,
    decorations,
    rowClass: change === 'removed' ? 'is-removed' : change === 'unchanged' ? 'is-unchanged' : undefined,
  };
}

function scopeBody(ctx: InvocationViewContext, prefix: string, label: string, variables: (Variable | ModuleVariable)[], isModule: boolean, emptyText: string): Node {
  const { doc } = ctx;
  if (variables.length === 0) return el(doc, 'p', { class: 'ws-muted', text: emptyText });
  const tree = new ValueTree(
    { doc, label, pathPrefix: prefix, isExpanded: ctx.isExpanded, onToggle: ctx.onToggle },
    variables.map((v) => variableRoot(doc, v, isModule)),
  );
  return tree.element;
}

/** The billed time; a cold start's says when it includes the init, which Lambda bills since August 2025 (the figure alone looks wrong beside Duration). */
function describeBilled(record: InvocationRecord): string {
  const billed = formatBilledMs(record.billedDurationMs);
  const initBilled = record.initDurationMs !== null && record.billedDurationMs > Math.max(1, Math.ceil(record.durationMs));
  return initBilled ? `${billed}, init included` : billed;
}

function metric(doc: Document, label: string, value: string, extraClass = ''): HTMLElement {
  return el(doc, 'div', { class: `ws-metric${extraClass ? ` ${extraClass}` : ''}` },
    el(doc, 'dt', { text: label }), el(doc, 'dd', { text: value }));
}

function stringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function renderInvocation(ctx: InvocationViewContext, record: InvocationRecord, isLatest: boolean): HTMLElement {
  const { doc } = ctx;
  const failed = record.error !== null;
  const title = el(doc, 'h2', { class: 'ws-detail-title', attrs: { id: 'ws-detail-title' } }, ...spaced(doc,
    el(doc, 'span', { text: `Invocation #${record.invocation}` }),
    el(doc, 'span', { class: `ws-badge ${record.cold ? 'ws-badge-cold' : 'ws-badge-warm'}`, text: record.cold ? 'cold start' : 'warm' }),
    record.source === 'deployed' ? el(doc, 'span', { class: 'ws-badge ws-badge-deployed', text: 'deployed' }) : null,
    failed ? el(doc, 'span', { class: 'ws-badge ws-badge-error', text: 'error' }) : null,
    isLatest ? null : el(doc, 'span', { class: 'ws-badge ws-badge-history', text: 'earlier invocation' }),
  ));
  const overMemorySize = describeOverMemorySize(record);
  const metrics = el(doc, 'dl', { class: 'ws-metrics' },
    metric(doc, 'Duration', formatMs(record.durationMs)),
    metric(doc, 'Billed', describeBilled(record)),
    record.initDurationMs !== null ? metric(doc, 'Init', formatMs(record.initDurationMs)) : null,
    metric(doc, 'Max memory', `${formatMB(record.maxMemoryUsedMB)} of ${formatMB(record.memorySizeMB)}`),
    overMemorySize ? metric(doc, 'Over the memory size', overMemorySize, 'ws-metric-warning') : null,
    record.memory ? metric(doc, 'Heap used', formatMB(bytesToMB(record.memory.heapUsedBytes))) : null,
    record.retained ? metric(doc, 'Retained measured', `child paused ${formatMs(record.retained.snapshotMs)}, analysed in ${formatMs(record.retained.analysisMs)}`) : null,
    record.overlapping ? metric(doc, 'In flight with', plural(record.overlapping.length, 'other invocation')) : null,
    metric(doc, 'Runtime', record.runtime ? `${record.runtime} on Node ${record.runtimeVersion}` : record.runtimeVersion),
    metric(doc, 'Request ID', record.requestId, 'ws-metric-id'),
  );
  const notices: (HTMLElement | null)[] = [
    record.reset
      ? el(doc, 'p', { class: 'ws-notice ws-notice-warning' }, codicon(doc, 'debug-disconnect'),
        el(doc, 'span', { text: `The environment ended after this invocation: ${describeReset(record.reset)}. The next invocation is a cold start.` }))
      : null,
    record.captureError
      ? el(doc, 'p', { class: 'ws-notice' }, codicon(doc, 'info'), el(doc, 'span', { text: `Scopes not captured: ${record.captureError}` }))
      : null,
    record.nodeMismatch
      ? el(doc, 'p', { class: 'ws-notice ws-notice-warning' }, codicon(doc, 'warning'), el(doc, 'span', { text: record.nodeMismatch }))
      : null,
    // What the static checks of the handler found before it ran (a Handler naming no file, a missing export): hints next to Lambda's own error.
    ...(record.handlerWarnings ?? []).map((warning) =>
      el(doc, 'p', { class: 'ws-notice ws-notice-warning ws-handler-warning' }, codicon(doc, 'lightbulb'), el(doc, 'span', { text: `Checked before it ran: ${warning}` })),
    ),
  ];

  // Managed Instances: each worker loads the handler, so this is one worker's module scope.
  const perWorker = record.worker !== undefined;
  const moduleSection = section(ctx, 'module', {
    title: perWorker ? `Module scope — ${laneName(laneOf(record))}` : 'Module scope',
    subtitle: perWorker ? 'shared by the invocations of this worker' : 'survives warm invocations',
    icon: 'symbol-namespace',
    count: String(record.moduleScope.length),
    countNoun: 'variables',
    defaultOpen: true,
    extraClass: 'ws-scope ws-scope-module',
  }, () => scopeBody(ctx, 'm', 'Module scope variables', record.moduleScope, true, record.captureError ? 'Not captured.' : 'No module-scope variables.'));

  const handlerSection = section(ctx, 'handler', {
    title: 'Handler scope',
    subtitle: 'recreated every invocation',
    icon: 'symbol-method',
    count: String(record.handlerScope.length),
    countNoun: 'variables',
    defaultOpen: true,
    extraClass: 'ws-scope ws-scope-handler',
  }, () => scopeBody(ctx, 'h', 'Handler scope variables', record.handlerScope, false, record.captureError ? 'Not captured.' : 'No handler-scope variables.'));

  const parametersSection = section(ctx, 'parameters', {
    title: 'Parameters',
    subtitle: 'event, context, callback',
    icon: 'symbol-parameter',
    count: String(record.parameters.length),
    countNoun: 'parameters',
    defaultOpen: false,
    extraClass: 'ws-scope ws-scope-parameters',
  }, () => scopeBody(ctx, 'p', 'Handler parameters', record.parameters, false, 'No parameters captured.'));

  const resultSection = section(ctx, 'result', {
    title: failed ? 'Error' : 'Response',
    icon: failed ? 'error' : 'reply',
    defaultOpen: true,
    extraClass: failed ? 'ws-result ws-result-error' : 'ws-result',
  }, () => {
    if (record.error) {
      const trace = record.error.trace.join('\n');
      return el(doc, 'div', { class: 'ws-error-block', attrs: { role: 'group', 'aria-label': 'Error' } },
        el(doc, 'p', { class: 'ws-error-head' },
          el(doc, 'span', { class: 'ws-error-type', text: record.error.errorType }),
          el(doc, 'span', { class: 'ws-error-message', text: record.error.errorMessage })),
        trace ? el(doc, 'pre', { class: 'ws-pre ws-trace', text: capped(trace) }) : null);
    }
    return el(doc, 'pre', { class: 'ws-pre ws-response', text: capped(stringify(record.response)) });
  });

  const leftPending = record.pendingAtFreeze ?? [];
  const ranHere = record.pendingRan ?? [];
  const pendingSection = leftPending.length || ranHere.length ? section(ctx, 'pending', {
    title: 'Pending at freeze',
    subtitle: 'work still alive when the handler returned',
    icon: 'watch',
    count: String(leftPending.length),
    countNoun: 'pending',
    defaultOpen: true,
    extraClass: 'ws-pending-section',
  }, () => pendingBody(doc, ctx.links, record, ctx.ranNext)) : null;

  const findings = record.findings ?? [];
  const findingsSection = findings.length ? section(ctx, 'findings', {
    title: 'Cross-talk',
    subtitle: 'another invocation changed what this one wrote',
    icon: 'warning',
    count: String(findings.length),
    countNoun: findings.length === 1 ? 'finding' : 'findings',
    defaultOpen: true,
    extraClass: 'ws-findings-section',
  }, () => findingsBody(doc, ctx.links, findings)) : null;

  const profile = record.cold ? record.initProfile ?? [] : [];
  const initSection = profile.length ? section(ctx, 'init-profile', {
    title: initProfileTitle(record.initDurationMs, profile),
    subtitle: 'top-level statements, slowest first',
    icon: 'dashboard',
    count: String(profile.length),
    countNoun: 'statements',
    defaultOpen: true,
    extraClass: 'ws-init-section',
  }, () => initProfileBody(doc, ctx.links, record)) : null;

  const logsSection = section(ctx, 'logs', {
    title: 'Logs',
    icon: 'output',
    count: `${formatCount(record.logs ? record.logs.split('\n').length : 0)} lines`,
    defaultOpen: true,
    extraClass: 'ws-logs',
  }, () => el(doc, 'div', {},
    el(doc, 'pre', { class: 'ws-pre ws-log', attrs: { tabindex: 0, 'aria-label': 'Invocation logs' }, text: capped(record.logs || '(no output)') }),
    (() => {
      const open = el(doc, 'button', { class: 'ws-link', attrs: { type: 'button' } }, codicon(doc, 'link-external'), el(doc, 'span', { text: 'Open the engine log' }));
      open.addEventListener('click', () => ctx.openOutput());
      return open;
    })(),
  ));

  return el(doc, 'div', { class: 'ws-invocation', attrs: { 'data-invocation': record.invocation } },
    el(doc, 'div', { class: 'ws-detail-head' }, title, metrics),
    ...notices,
    findingsSection,
    el(doc, 'div', { class: 'ws-scopes' }, moduleSection, handlerSection),
    pendingSection,
    initSection,
    parametersSection,
    resultSection,
    logsSection,
  );
}
