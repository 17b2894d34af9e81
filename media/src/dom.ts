/**
 * DOM building without HTML parsing: every text goes through textContent, every attribute
 * through setAttribute with a fixed name, so a captured value can never become markup.
 * No `style` attribute either: the page's CSP forbids inline styles; layout that depends
 * on data (sizes, positions) is expressed with SVG attributes or classes.
 */

export type Attributes = Record<string, string | number | boolean | null | undefined>;

export interface ElementSpec {
  class?: string;
  text?: string;
  attrs?: Attributes;
}

export type Child = Node | string | null | undefined | false;

function applyAttributes(element: Element, attrs: Attributes | undefined): void {
  if (!attrs) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`dom: refusing attribute ${name}`);
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function appendChildren(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? parent.ownerDocument!.createTextNode(child) : child);
  }
}

/** An HTML element: `el(document, 'div', { class: 'x' }, child, 'text')`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  spec: ElementSpec = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (spec.class) element.className = spec.class;
  applyAttributes(element, spec.attrs);
  if (spec.text !== undefined) element.textContent = spec.text;
  appendChildren(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; geometry goes in attributes (allowed by the CSP, unlike `style`). */
export function svg(doc: Document, tag: string, attrs: Attributes = {}, ...children: Child[]): SVGElement {
  const element = doc.createElementNS(SVG_NS, tag) as SVGElement;
  applyAttributes(element, attrs);
  appendChildren(element, children);
  return element;
}

/** A codicon glyph, hidden from screen readers (the surrounding label says what it means). */
export function codicon(doc: Document, name: string, extraClass = ''): HTMLSpanElement {
  return el(doc, 'span', { class: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/**
 * `children` separated by single spaces. The flex layouts ignore them, but they keep words
 * apart in the text screen readers and voice control read from adjacent inline elements.
 */
export function spaced(doc: Document, ...children: Child[]): Node[] {
  const out: Node[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (out.length) out.push(doc.createTextNode(' '));
    out.push(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return out;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Replaces the children of `element` with `children`. */
export function replaceChildren(element: Element, ...children: Child[]): void {
  clear(element);
  appendChildren(element, children);
}

/**
 * A vertical spacer of `height` px with no inline style: an SVG's `height` is an attribute.
 * Used by the windowed timeline to stand in for rows that are not rendered.
 */
export function spacer(doc: Document, height: number): SVGElement {
  return svg(doc, 'svg', { class: 'ws-spacer', width: 1, height: Math.max(0, Math.round(height)), 'aria-hidden': 'true', focusable: 'false' });
}
