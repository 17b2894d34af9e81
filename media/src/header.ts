/**
 * The panel header: handler title, environment state, the Lambda runtime it behaves as and
 * where that came from, the Node version that runs it, invocation count, settings, and the toolbar. Built once; `update` changes text and disabled states in
 * place so a focused button keeps focus across state messages.
 */
import type { PanelState, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { codicon, el, replaceChildren, spaced } from './dom';
import { describeEnvironment, plural } from './format';

export interface HeaderOptions {
  doc: Document;
  post(message: WebviewToHostMessage): void;
  /** Called before an invoke is posted (the panel then follows the new invocation). */
  onInvoke(): void;
}

const SETTINGS_SOURCE_TEXT: Record<string, string> = {
  defaults: 'defaults',
  settings: 'from settings',
  sam: 'from SAM template',
  serverless: 'from serverless.yml',
};

function button(doc: Document, icon: string, label: string, title: string, extraClass = ''): HTMLButtonElement {
  return el(doc, 'button', { class: `ws-button${extraClass ? ` ${extraClass}` : ''}`, attrs: { type: 'button', title } },
    codicon(doc, icon), el(doc, 'span', { class: 'ws-button-label', text: label }));
}

export class HeaderView {
  readonly element: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly path: HTMLSpanElement;
  private readonly environment: HTMLSpanElement;
  private readonly facts: HTMLSpanElement;
  private readonly invokeWarm: HTMLButtonElement;
  private readonly invokeCold: HTMLButtonElement;
  private readonly reset: HTMLButtonElement;
  private readonly measure: HTMLButtonElement;
  private readonly event: HTMLButtonElement;
  private readonly eventLabel: HTMLSpanElement;

  constructor(private readonly options: HeaderOptions) {
    const { doc, post } = options;
    this.title = el(doc, 'h1', { class: 'ws-title', text: 'Warm State' });
    this.path = el(doc, 'span', { class: 'ws-path' });
    this.environment = el(doc, 'span', { class: 'ws-env' });
    this.facts = el(doc, 'span', { class: 'ws-facts' });
    this.invokeWarm = button(doc, 'play', 'Invoke Warm', 'Invoke the handler in the current environment (warm when one is running)', 'ws-button-primary');
    this.invokeCold = button(doc, 'debug-restart', 'Cold Start', 'Reset the environment, then invoke (a cold start)');
    this.reset = button(doc, 'discard', 'Reset', 'End the environment; module scope is lost and the next invocation is cold');
    this.measure = button(doc, 'database', 'Measure retained', 'Measure the bytes each module variable retains (a heap snapshot of the environment, taken between invocations)', 'ws-button-measure');
    this.eventLabel = el(doc, 'span', { class: 'ws-button-label', text: 'Event: {}' });
    this.event = el(doc, 'button', { class: 'ws-button ws-button-event', attrs: { type: 'button', title: 'Choose the event passed to the handler' } },
      codicon(doc, 'json'), this.eventLabel, codicon(doc, 'chevron-down', 'ws-dropdown'));
    const output = button(doc, 'output', 'Output', 'Show the engine log in the Output panel', 'ws-button-secondary');

    this.invokeWarm.addEventListener('click', () => { options.onInvoke(); post({ type: 'invoke', cold: false }); });
    this.invokeCold.addEventListener('click', () => { options.onInvoke(); post({ type: 'invoke', cold: true }); });
    this.reset.addEventListener('click', () => post({ type: 'reset' }));
    this.measure.addEventListener('click', () => post({ type: 'measureRetained' }));
    this.event.addEventListener('click', () => post({ type: 'selectEvent' }));
    output.addEventListener('click', () => post({ type: 'openOutput' }));

    this.element = el(doc, 'header', { class: 'ws-header' },
      el(doc, 'div', { class: 'ws-title-row' }, codicon(doc, 'symbol-event', 'ws-title-icon'), ...spaced(doc, this.title, this.path)),
      el(doc, 'div', { class: 'ws-status-row' }, ...spaced(doc, this.environment, this.facts)),
      el(doc, 'div', { class: 'ws-toolbar', attrs: { role: 'group', 'aria-label': 'Actions' } },
        this.invokeWarm, this.invokeCold, this.reset, this.measure, el(doc, 'span', { class: 'ws-toolbar-sep', attrs: { 'aria-hidden': 'true' } }), this.event, output),
    );
  }

  update(state: PanelState): void {
    const { doc } = this.options;
    this.title.textContent = state.handler.title;
    this.path.textContent = state.handler.relativePath ?? state.handler.file;
    this.path.setAttribute('title', state.handler.file);

    const env = describeEnvironment(state.environment, state.busy);
    this.environment.className = `ws-env ws-env-${env.tone}`;
    this.environment.setAttribute('title', env.detail);
    this.environment.setAttribute('aria-label', `Environment: ${env.label}. ${env.detail}`);
    replaceChildren(this.environment, codicon(doc, env.icon, env.tone === 'busy' ? 'codicon-modifier-spin' : ''), el(doc, 'span', { text: env.label }));

    const facts: HTMLElement[] = [];
    const runtime = state.settings?.runtime;
    if (runtime) facts.push(el(doc, 'span', { class: 'ws-fact ws-fact-runtime', text: `${runtime.profile} · ${runtime.origin}`, attrs: { title: 'The Lambda runtime local invocations behave as' } }));
    const node = state.nodeVersion ?? state.environment.nodeVersion;
    if (node) facts.push(this.nodeFact(node, state));
    facts.push(el(doc, 'span', { class: 'ws-fact', text: plural(state.timeline.length, 'invocation') }));
    if (state.settings) {
      const s = state.settings;
      facts.push(el(doc, 'span', { class: 'ws-fact', text: `${s.memoryMB} MB · ${s.timeoutSeconds} s timeout${s.freeze ? '' : ' · no freeze'} (${SETTINGS_SOURCE_TEXT[s.source] ?? s.source})` }));
      if (s.sourceDetail) this.facts.setAttribute('title', s.sourceDetail);
      else this.facts.removeAttribute('title');
    }
    replaceChildren(this.facts, ...spaced(doc, ...facts.flatMap((fact, i) => [
      i > 0 ? el(doc, 'span', { class: 'ws-dot', text: '·', attrs: { 'aria-hidden': 'true' } }) : null,
      fact,
    ])));

    const busy = state.busy !== null;
    this.invokeWarm.disabled = busy;
    this.invokeCold.disabled = busy;
    this.reset.disabled = busy || state.environment.state === 'cold';
    this.event.disabled = busy;
    // Only a warm local environment has a heap to snapshot; the host refuses anything else with its reason.
    const measuring = state.busy === 'measure-retained';
    this.measure.disabled = busy || state.environment.state !== 'warm';
    this.measure.setAttribute('aria-busy', measuring ? 'true' : 'false');
    replaceChildren(this.measure, codicon(doc, measuring ? 'loading' : 'database', measuring ? 'codicon-modifier-spin' : ''),
      el(doc, 'span', { class: 'ws-button-label', text: measuring ? 'Measuring…' : 'Measure retained' }));
    this.eventLabel.textContent = `Event: ${state.eventName ?? '{}'}`;
    this.event.setAttribute('aria-label', `Event: ${state.eventName ?? 'empty object'}. Choose another event`);
    this.element.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  /**
   * `Node v22.3.0`, marked when the latest local invocation ran as the current profile on
   * another Node major (its record says so): the runtime is not installed locally.
   */
  private nodeFact(node: string, state: PanelState): HTMLElement {
    const { doc } = this.options;
    const latest = state.selected;
    const profile = state.settings?.runtime?.profile;
    const mismatch = latest && latest.source === 'local' && latest.runtime === profile ? latest.nodeMismatch : null;
    if (!mismatch || !profile) return el(doc, 'span', { class: 'ws-fact', text: `Node ${node}` });
    return el(doc, 'span', { class: 'ws-fact ws-fact-warning', attrs: { title: mismatch, 'aria-label': `Node ${node}. ${mismatch}` } },
      codicon(doc, 'warning'), el(doc, 'span', { text: `Node ${node}, not Node ${/\d+/.exec(profile)?.[0] ?? '?'}` }));
  }
}
