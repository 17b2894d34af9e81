/**
 * An accessible, lazy tree of captured values (WAI-ARIA tree pattern, flat like VS Code's
 * own tree widget: every treeitem `li` holds just its own row and carries aria-level,
 * aria-setsize and aria-posinset, so its accessible name is its own visible text).
 *
 * Children are built only when a node is expanded and removed when it collapses, so a huge
 * value costs nothing until opened; long child lists are folded into ranges. Keyboard:
 * Up/Down, Home/End, Right (expand / first child), Left (collapse / parent), Enter/Space
 * (toggle). One item holds tabindex 0 (roving tabindex).
 */
import type { ValueNode } from '../../src/core/model/snapshot';
import { codicon, el, spaced } from './dom';
import { previewValue } from '../../src/core/model/preview';
import { type ChildEntry, childrenOf, groupIntoRanges, isExpandable } from './value-model';

export interface TreeRootItem {
  name: string;
  value: ValueNode;
  /** Extra inline content after the preview (badges). */
  decorations?: Node[];
  /** Words for screen readers after the visible text (e.g. the size series). */
  description?: string;
  /** Class added to the row (e.g. `is-removed`). */
  rowClass?: string;
  /** Shown before the name, e.g. the binding kind. */
  kindLabel?: string;
}

export interface TreeOptions {
  doc: Document;
  /** Accessible name of the tree. */
  label: string;
  /** Prefix of every path in this tree (`m`, `h`, `p`). */
  pathPrefix: string;
  /** Expanded paths (shared with the UI state; changed through onToggle). */
  isExpanded(path: string): boolean;
  onToggle(path: string, expanded: boolean): void;
}

type Expandable = { kind: 'value'; value: ValueNode } | { kind: 'range'; children: ChildEntry[] };

const CHUNK = 100;
/** Indentation classes exist up to this level (panel.css); deeper rows share the last. */
const MAX_INDENT_LEVEL = 16;

/** `ws-value t-string` etc.: colours by value type come from the debugger's theme tokens. */
function valueClass(node: ValueNode): string {
  const type = /^[a-z-]{1,20}$/.test(node.type) ? node.type : 'unknown';
  return `ws-value t-${type}`;
}

function levelOf(item: Element): number {
  return Number(item.getAttribute('aria-level') ?? '1');
}

export class ValueTree {
  readonly element: HTMLUListElement;
  private readonly sources = new WeakMap<Element, Expandable>();

  constructor(private readonly options: TreeOptions, roots: TreeRootItem[]) {
    const { doc } = options;
    this.element = el(doc, 'ul', { class: 'ws-tree', attrs: { role: 'tree', 'aria-label': options.label } });
    const fragment = doc.createDocumentFragment();
    roots.forEach((root, index) => this.rootItems(root, index, roots.length).forEach((item) => fragment.appendChild(item)));
    this.element.appendChild(fragment);
    const first = this.element.querySelector('[role="treeitem"]');
    if (first) first.setAttribute('tabindex', '0');
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.element.addEventListener('click', (event) => this.onClick(event));
  }

  /** The root row, followed by its restored expanded descendants. */
  private rootItems(root: TreeRootItem, index: number, count: number): HTMLElement[] {
    const { doc } = this.options;
    const path = `${this.options.pathPrefix}:${encodeURIComponent(root.name)}`;
    const item = this.item(path, 1, index, count, isExpandable(root.value), [
      root.kindLabel ? el(doc, 'span', { class: 'ws-kind', text: root.kindLabel }) : null,
      this.key(root.name),
      el(doc, 'span', { class: valueClass(root.value), text: previewValue(root.value, 'panel') }),
      root.decorations?.length ? el(doc, 'span', { class: 'ws-decorations' }, ...spaced(doc, ...root.decorations)) : null,
      root.description ? el(doc, 'span', { class: 'ws-sr-only', text: `(${root.description})` }) : null,
    ], root.rowClass);
    return this.withChildren(item, path, { kind: 'value', value: root.value });
  }

  private childItems(entry: ChildEntry, parentPath: string, level: number, index: number, count: number): HTMLElement[] {
    const { doc } = this.options;
    const path = `${parentPath}/${encodeURIComponent(entry.segment)}`;
    if (entry.kind === 'note') {
      return [this.item(path, level, index, count, false, [el(doc, 'span', { class: 'ws-note', text: entry.text })], 'is-note')];
    }
    if (entry.kind === 'range') {
      const item = this.item(path, level, index, count, true, [
        el(doc, 'span', { class: 'ws-name ws-range', text: entry.name }),
        el(doc, 'span', { class: 'ws-sr-only', text: `(${entry.children.length} items)` }),
      ]);
      return this.withChildren(item, path, { kind: 'range', children: entry.children });
    }
    const item = this.item(path, level, index, count, isExpandable(entry.value), [
      this.key(entry.name),
      el(doc, 'span', { class: valueClass(entry.value), text: previewValue(entry.value, 'panel') }),
    ]);
    return this.withChildren(item, path, { kind: 'value', value: entry.value });
  }

  /** `name:` with a real colon, so the visible text reads like the accessible name. */
  private key(name: string): HTMLSpanElement {
    const { doc } = this.options;
    return el(doc, 'span', { class: 'ws-key' }, el(doc, 'span', { class: 'ws-name', text: name }), el(doc, 'span', { class: 'ws-colon', text: ':' }));
  }

  private item(path: string, level: number, index: number, count: number, expandable: boolean, content: (Node | null)[], rowClass?: string): HTMLElement {
    const { doc } = this.options;
    const indent = Math.min(level, MAX_INDENT_LEVEL);
    const row = el(doc, 'div', { class: `ws-row ws-lvl-${indent}${rowClass ? ` ${rowClass}` : ''}` },
      expandable ? codicon(doc, 'chevron-right', 'ws-twisty') : el(doc, 'span', { class: 'ws-twisty ws-twisty-leaf', attrs: { 'aria-hidden': 'true' } }),
      ...spaced(doc, ...content),
    );
    return el(doc, 'li', {
      class: 'ws-treeitem',
      attrs: {
        role: 'treeitem',
        'aria-level': level,
        'aria-setsize': count,
        'aria-posinset': index + 1,
        'aria-expanded': expandable ? 'false' : null,
        tabindex: -1,
        'data-path': path,
      },
    }, row);
  }

  /** Registers what an expandable row opens to; returns it plus its descendants when its path was expanded. */
  private withChildren(item: HTMLElement, path: string, source: Expandable): HTMLElement[] {
    if (!item.hasAttribute('aria-expanded')) return [item];
    this.sources.set(item, source);
    if (!this.options.isExpanded(path)) return [item];
    return [item, ...this.descendants(item, source)];
  }

  private descendants(item: HTMLElement, source: Expandable): HTMLElement[] {
    item.setAttribute('aria-expanded', 'true');
    item.querySelector(':scope > .ws-row > .ws-twisty')?.classList.replace('codicon-chevron-right', 'codicon-chevron-down');
    const path = item.getAttribute('data-path') ?? '';
    const level = levelOf(item) + 1;
    const entries = groupIntoRanges(source.kind === 'range' ? source.children : childrenOf(source.value), CHUNK);
    return entries.flatMap((entry, index) => this.childItems(entry, path, level, index, entries.length));
  }

  private expand(item: HTMLElement): void {
    if (item.getAttribute('aria-expanded') !== 'false') return;
    const source = this.sources.get(item);
    if (!source) return;
    const fragment = this.options.doc.createDocumentFragment();
    for (const child of this.descendants(item, source)) fragment.appendChild(child);
    item.parentNode?.insertBefore(fragment, item.nextSibling);
    this.options.onToggle(item.getAttribute('data-path') ?? '', true);
  }

  private collapse(item: HTMLElement): void {
    if (item.getAttribute('aria-expanded') !== 'true') return;
    const level = levelOf(item);
    const active = this.options.doc.activeElement;
    let focusInside = false;
    let next = item.nextElementSibling;
    while (next && levelOf(next) > level) {
      const following = next.nextElementSibling;
      if (next === active) focusInside = true;
      next.remove();
      next = following;
    }
    item.setAttribute('aria-expanded', 'false');
    item.querySelector(':scope > .ws-row > .ws-twisty')?.classList.replace('codicon-chevron-down', 'codicon-chevron-right');
    if (focusInside) this.focus(item);
    this.options.onToggle(item.getAttribute('data-path') ?? '', false);
  }

  toggle(item: HTMLElement): void {
    if (item.getAttribute('aria-expanded') === 'true') this.collapse(item);
    else this.expand(item);
  }

  private items(): HTMLElement[] {
    return Array.from(this.element.querySelectorAll<HTMLElement>(':scope > [role="treeitem"]'));
  }

  private focus(item: HTMLElement): void {
    for (const other of this.element.querySelectorAll('[role="treeitem"][tabindex="0"]')) other.setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    item.focus();
  }

  private itemOf(target: EventTarget | null): HTMLElement | null {
    const node = target as Element | null;
    const item = node && typeof node.closest === 'function' ? node.closest<HTMLElement>('[role="treeitem"]') : null;
    return item && item.parentElement === this.element ? item : null;
  }

  private parentOf(item: HTMLElement): HTMLElement | null {
    const level = levelOf(item);
    let previous = item.previousElementSibling;
    while (previous && levelOf(previous) >= level) previous = previous.previousElementSibling;
    return previous as HTMLElement | null;
  }

  private onClick(event: Event): void {
    const item = this.itemOf(event.target);
    if (!item) return;
    this.focus(item);
    if (item.hasAttribute('aria-expanded')) this.toggle(item);
  }

  private onKeyDown(event: KeyboardEvent): void {
    const item = this.itemOf(event.target);
    if (!item) return;
    const expanded = item.getAttribute('aria-expanded');
    let handled = true;
    switch (event.key) {
      case 'ArrowDown': {
        const next = item.nextElementSibling as HTMLElement | null;
        if (next) this.focus(next);
        break;
      }
      case 'ArrowUp': {
        const previous = item.previousElementSibling as HTMLElement | null;
        if (previous) this.focus(previous);
        break;
      }
      case 'Home': this.focus(this.items()[0]); break;
      case 'End': {
        const items = this.items();
        this.focus(items[items.length - 1]);
        break;
      }
      case 'ArrowRight':
        if (expanded === 'false') this.expand(item);
        else if (expanded === 'true') {
          const child = item.nextElementSibling as HTMLElement | null;
          if (child && levelOf(child) > levelOf(item)) this.focus(child);
        }
        break;
      case 'ArrowLeft':
        if (expanded === 'true') this.collapse(item);
        else {
          const parent = this.parentOf(item);
          if (parent) this.focus(parent);
        }
        break;
      case 'Enter':
      case ' ':
        if (expanded !== null) this.toggle(item);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }
}
