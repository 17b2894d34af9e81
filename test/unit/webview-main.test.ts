import * as assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import type { PersistedPanelState, WebviewToHostMessage } from '../../src/webview-protocol/panel';
import { scenarioRecord, scenarioState } from '../../media/src/sample/scenario';

/**
 * The webview entry point (media/src/main.ts) against a stand-in for VS Code's webview API:
 * ready handshake, message validation, state persistence for the serializer.
 */
describe('webview entry point (main.ts)', () => {
  const window = new Window({ url: 'https://webview.test/' });
  const document = window.document as unknown as Document;
  const posted: WebviewToHostMessage[] = [];
  const saved: PersistedPanelState[] = [];
  const restored: PersistedPanelState = {
    version: 1,
    handler: { file: '/work/examples/freeze-demo/handler.js', exportName: 'test' },
    ui: { selectedInvocation: null, expanded: ['m:arrayB'], sections: { logs: false }, scrollTop: 0 },
  };
  const globals = globalThis as unknown as Record<string, unknown>;
  const previous = { window: globals.window, document: globals.document, acquireVsCodeApi: globals.acquireVsCodeApi };

  function send(data: unknown): void {
    const view = window as unknown as { MessageEvent: typeof MessageEvent; dispatchEvent(event: Event): boolean };
    view.dispatchEvent(new view.MessageEvent('message', { data }));
  }

  before(async () => {
    document.body.appendChild(Object.assign(document.createElement('div'), { id: 'root' }));
    globals.window = window;
    globals.document = document;
    let acquired = 0;
    globals.acquireVsCodeApi = () => {
      acquired++;
      if (acquired > 1) throw new Error('acquireVsCodeApi called twice');
      return {
        postMessage: (message: WebviewToHostMessage) => posted.push(message),
        getState: () => restored,
        setState: (state: PersistedPanelState) => saved.push(state),
      };
    };
    await import('../../media/src/main');
  });

  after(async () => {
    Object.assign(globals, previous);
    await window.happyDOM.close();
  });

  it('says ready once loaded, and waits for the host', () => {
    assert.deepEqual(posted, [{ type: 'ready' }]);
    assert.match(document.getElementById('root')?.textContent ?? '', /Waiting for Warm State/);
  });

  it('ignores malformed or foreign messages', () => {
    send({ type: 'state', state: { handler: '<img src=x onerror=alert(1)>' } });
    send({ type: 'eval', code: 'alert(1)' });
    send('state');
    send(null);
    assert.match(document.getElementById('root')?.textContent ?? '', /Waiting for Warm State/);
    assert.equal(saved.length, 0);
  });

  it('renders a valid state with the restored UI state and saves it with the handler identity', () => {
    send({ type: 'state', state: scenarioState(3) });
    const root = document.getElementById('root')!;
    assert.equal(root.querySelector('.ws-title')?.textContent, 'handler.test');
    const arrayB = Array.from(root.querySelectorAll('[role="treeitem"][aria-level="1"]')).find((item) => item.querySelector('.ws-name')?.textContent === 'arrayB')!;
    assert.equal(arrayB.getAttribute('aria-expanded'), 'true', 'expanded path restored from getState');
    assert.equal(root.querySelector('.ws-logs .ws-section-toggle')?.getAttribute('aria-expanded'), 'false');
    const last = saved.at(-1)!;
    assert.deepEqual(last.handler, { file: '/work/examples/freeze-demo/handler.js', exportName: 'test' });
    assert.equal(last.version, 1);
    assert.deepEqual(last.ui.expanded, ['m:arrayB']);
  });

  it('posts the toolbar actions and answers to a selection through the host', () => {
    const root = document.getElementById('root')!;
    (root.querySelector('.ws-button-primary') as HTMLButtonElement).click();
    assert.deepEqual(posted.at(-1), { type: 'invoke', cold: false });
    const row = root.querySelector('[role="option"][data-invocation="1"]') as HTMLElement;
    row.click();
    assert.deepEqual(posted.at(-1), { type: 'selectInvocation', invocation: 1 });
    send({ type: 'detail', invocation: 1, record: scenarioRecord(1) });
    assert.ok(root.querySelector('.ws-detail-title')?.textContent?.startsWith('Invocation #1'));
    assert.equal(saved.at(-1)?.ui.selectedInvocation, 1);
  });
});
