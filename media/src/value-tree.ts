/**
 * An accessible, lazy tree of captured values (WAI-ARIA tree pattern). Children are built
 * only when a node is expanded and dropped when it collapses, so a huge value costs
 * nothing until opened; long child lists are folded into ranges. Keyboard: Up/Down,
 * Home/End, Right (expand / first child), Left (collapse / parent), Enter/Space (toggle).
 * One item holds tabindex 0 (roving tabindex).
 */
import type { ValueNode } from '../../src/core/model/snapshot';
import { codicon, el } from './dom';
import { type ChildEntry, childrenOf, groupIntoRanges, isExpandable, preview } from './value-model';

export interface TreeRootItem {
  name: string;
  value: ValueNode;
  /** Extra inline content after the preview (badges, sparkline). */
  decorations?: Node[];
  /** Extra words for the screen-reader label (`var`, `changed`, `growing`). */
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
  /** Expanded paths (shared with the UI state; mutated through onToggle). */
  isExpanded(path: string): boolean;
  onToggle(path: string, expanded: boolean): void;
}

type Expandable = { kind: 'value'; value: ValueNode } | { kind: 'range'; children: ChildEntry[] };

const CHUNK = 100;

/** `ws-value t-string` etc.: colours by value type come from the debugger's theme tokens. */
function valueClass(node: ValueNode): string {
  const type = /^[a-z-]{1,20}$/.test(node.type) ? node.type : 'unknown';
  return `ws-value t-${type}`;
}

export class ValueTree {
  readonly element: HTMLUListElement;
  private readonly sources = new WeakMap<Element, Expandable>();

  constructor(private readonly options: TreeOptions, roots: TreeRootItem[]) {
    const { doc } = options;
    this.element = el(doc, 'ul', { class: 'ws-tree', attrs: { role: 'tree', 'aria-label': options.label } });
    roots.forEach((root) => this.element.appendChild(this.rootItem(root)));
    const first = this.element.querySelector('[role="treeitem"]');
    if (first) first.setAttribute('tabindex', '0');
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.element.addEventListener('click', (event) => this.onClick(event));
  }

  private rootItem(root: TreeRootItem): HTMLLIElement {
    const path = `${this.options.pathPrefix}:${encodeURIComponent(root.name)}`;
    const text = preview(root.value);
    const label = [root.name, root.description, text].filter(Boolean).join(', ');
    const row = this.row(path, 1, isExpandable(root.value), label, [
      root.kindLabel ? el(this.options.doc, 'span', { class: 'ws-kind', text: root.kindLabel }) : null,
      el(this.options.doc, 'span', { class: 'ws-name', text: root.name }),
      el(this.options.doc, 'span', { class: valueClass(root.value), text }),
      root.decorations?.length ? el(this.options.doc, 'span', { class: 'ws-decorations' }, ...root.decorations) : null,
    ], root.rowClass);
    return this.finish(row, path, { kind: 'value', value: root.value });
  }

  private childItem(entry: ChildEntry, parentPath: string, level: number): HTMLLIElement {
    const { doc } = this.options;
    const path = `${parentPath}/${encodeURIComponent(entry.segment)}`;
    if (entry.kind === 'note') {
      return this.row(path, level, false, entry.text, [el(doc, 'span', { class: 'ws-note', text: entry.text })], 'is-note');
    }
    if (entry.kind === 'range') {
      const item = this.row(path, level, true, `${entry.name}, ${entry.children.length} items`, [el(doc, 'span', { class: 'ws-name ws-range', text: entry.name })]);
      return this.finish(item, path, { kind: 'range', children: entry.children });
    }
    const text = preview(entry.value);
    const item = this.row(path, level, isExpandable(entry.value), `${entry.name}: ${text}`, [
      el(doc, 'span', { class: 'ws-name', text: entry.name }),
      el(doc, 'span', { class: valueClass(entry.value), text }),
    ]);
    return this.finish(item, path, { kind: 'value', value: entry.value });
  }

  private row(path: string, level: number, expandable: boolean, label: string, content: (Node | null)[], rowClass?: string): HTMLLIElement {
    const { doc } = this.options;
    const item = el(doc, 'li', {
      class: 'ws-treeitem',
      attrs: { role: 'treeitem', 'aria-level': level, 'aria-label': label, tabindex: -1, 'data-path': path, 'aria-expanded': expandable ? 'false' : null },
    });
    const line = el(doc, 'div', { class: `ws-row${rowClass ? ` ${rowClass}` : ''}` },
      expandable ? codicon(doc, 'chevron-right', 'ws-twisty') : el(doc, 'span', { class: 'ws-twisty ws-twisty-leaf', attrs: { 'aria-hidden': 'true' } }),
      ...content,
    );
    item.appendChild(line);
    return item;
  }

  private finish(item: HTMLLIElement, path: string, source: Expandable): HTMLLIElement {
    if (item.hasAttribute('aria-expanded')) {
      this.sources.set(item, source);
      if (this.options.isExpanded(path)) this.expand(item, false);
    }
    return item;
  }

  private expand(item: HTMLLIElement, notify = true): void {
    if (item.getAttribute('aria-expanded') !== 'false') return;
    const source = this.sources.get(item);
    if (!source) return;
    const path = item.getAttribute('data-path') ?? '';
    const level = Number(item.getAttribute('aria-level') ?? '1') + 1;
    const entries = source.kind === 'range' ? groupIntoRanges(source.children, CHUNK) : groupIntoRanges(childrenOf(source.value), CHUNK);
    const group = el(this.options.doc, 'ul', { class: 'ws-group', attrs: { role: 'group' } });
    for (const entry of entries) group.appendChild(this.childItem(entry, path, level));
    item.appendChild(group);
    item.setAttribute('aria-expanded', 'true');
    const twisty = item.querySelector(':scope > .ws-row > .ws-twisty');
    twisty?.classList.replace('codicon-chevron-right', 'codicon-chevron-down');
    if (notify) this.options.onToggle(path, true);
  }

  private collapse(item: HTMLLIElement): void {
    if (item.getAttribute('aria-expanded') !== 'true') return;
    const group = item.querySelector(':scope > ul');
    const focusInside = group?.contains(this.options.doc.activeElement) ?? false;
    group?.remove();
    item.setAttribute('aria-expanded', 'false');
    item.querySelector(':scope > .ws-row > .ws-twisty')?.classList.replace('codicon-chevron-down', 'codicon-chevron-right');
    if (focusInside) this.focus(item);
    this.options.onToggle(item.getAttribute('data-path') ?? '', false);
  }

  toggle(item: HTMLLIElement): void {
    if (item.getAttribute('aria-expanded') === 'true') this.collapse(item);
    else this.expand(item);
  }

  private items(): HTMLLIElement[] {
    return Array.from(this.element.querySelectorAll<HTMLLIElement>('[role="treeitem"]'));
  }

  private focus(item: HTMLLIElement): void {
    for (const other of this.element.querySelectorAll('[role="treeitem"][tabindex="0"]')) other.setAttribute('tabindex', '-1');
    item.setAttribute('tabindex', '0');
    item.focus();
  }

  private itemOf(target: EventTarget | null): HTMLLIElement | null {
    const node = target as Element | null;
    const item = node && typeof node.closest === 'function' ? node.closest<HTMLLIElement>('[role="treeitem"]') : null;
    return item && this.element.contains(item) ? item : null;
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
    const items = this.items();
    const index = items.indexOf(item);
    const expanded = item.getAttribute('aria-expanded');
    let handled = true;
    switch (event.key) {
      case 'ArrowDown': if (index + 1 < items.length) this.focus(items[index + 1]); break;
      case 'ArrowUp': if (index > 0) this.focus(items[index - 1]); break;
      case 'Home': this.focus(items[0]); break;
      case 'End': this.focus(items[items.length - 1]); break;
      case 'ArrowRight':
        if (expanded === 'false') this.expand(item);
        else if (expanded === 'true') {
          const child = item.querySelector<HTMLLIElement>(':scope > ul > [role="treeitem"]');
          if (child) this.focus(child);
        }
        break;
      case 'ArrowLeft':
        if (expanded === 'true') this.collapse(item);
        else {
          const parent = item.parentElement?.closest<HTMLLIElement>('[role="treeitem"]');
          if (parent && this.element.contains(parent)) this.focus(parent);
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
