// Shared happy-dom setup for the webview tests (test support; never bundled into the panel).
import { Window } from 'happy-dom';

export interface Dom {
  window: Window;
  document: Document;
  root: HTMLElement;
  close(): Promise<void>;
}

export function createDom(): Dom {
  const window = new Window({ url: 'https://webview.test/' });
  const document = window.document as unknown as Document;
  const root = document.createElement('div');
  root.id = 'root';
  document.body.appendChild(root);
  return { window, document, root, close: () => window.happyDOM.close() };
}

export function key(target: Element, keyName: string): void {
  const view = target.ownerDocument.defaultView as unknown as { KeyboardEvent: typeof KeyboardEvent };
  target.dispatchEvent(new view.KeyboardEvent('keydown', { key: keyName, bubbles: true, cancelable: true }));
}

export function click(target: Element): void {
  (target as HTMLElement).click();
}

export function texts(elements: Iterable<Element>): string[] {
  return Array.from(elements, (element) => element.textContent ?? '');
}
