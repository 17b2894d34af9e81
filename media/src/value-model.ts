/**
 * Pure view model of a captured ValueNode for the panel's tree: its type label and the child
 * list of an expandable node (the one-line previews come from src/core/model/preview.ts).
 * Every field is read defensively: the host validates only the outer shape of values, so a
 * malformed node renders as "unknown" instead of throwing.
 */
import type { ValueNode } from '../../src/core/model/snapshot';
import { asNode, bool, fieldsOf, list, num, str, type NodeFields } from '../../src/core/model/node-fields';
import { formatCount, previewKey, previewNested } from '../../src/core/model/preview';

/** Map keys short enough to serve as a row name. */
const PRIMITIVE_KEYS = new Set(['string', 'number', 'bigint', 'boolean', 'undefined', 'null', 'symbol', 'date', 'regexp']);

export type ChildEntry =
  | { kind: 'value'; segment: string; name: string; value: ValueNode }
  /** A leaf that only says something, e.g. "999,950 more items not captured". */
  | { kind: 'note'; segment: string; text: string }
  /** Several children folded into `[100 … 199]`, so huge lists stay cheap to open. */
  | { kind: 'range'; segment: string; name: string; children: ChildEntry[] };

/** A short type label shown beside the preview. */
export function typeLabel(node: ValueNode): string {
  const n = fieldsOf(node);
  switch (node.type) {
    case 'array': case 'object': case 'map': case 'set': case 'binary': case 'error': case 'weak':
      return str(n.className) || node.type;
    case 'function': return node.kind === 'class' ? 'class' : 'function';
    default: return node.type;
  }
}

/** Whether the node has anything to show below it. */
export function isExpandable(node: ValueNode): boolean {
  const n = fieldsOf(node);
  switch (node.type) {
    case 'array': return list(n.items).length > 0 || num(n.length) > 0;
    case 'object': return list(n.properties).length > 0 || bool(n.truncated);
    case 'map': return list(n.entries).length > 0 || num(n.size) > 0;
    case 'set': return list(n.items).length > 0 || num(n.size) > 0;
    case 'binary': return list(n.preview).length > 0;
    case 'promise': return n.value !== null && n.value !== undefined;
    case 'error': return str(n.message) !== '' || typeof n.stack === 'string';
    case 'string': return bool(n.truncated) || str(n.value).length > 80 || str(n.value).includes('\n');
    default: return false;
  }
}

function moreNote(segment: string, missing: number, noun: string): ChildEntry[] {
  return missing > 0 ? [{ kind: 'note', segment, text: `${formatCount(missing)} more ${noun} not captured` }] : [];
}

/** Children of an expandable node, in display order (built only when the node is expanded). */
export function childrenOf(node: ValueNode): ChildEntry[] {
  const n = fieldsOf(node);
  switch (node.type) {
    case 'array': {
      const items = list(n.items);
      const entries: ChildEntry[] = items.map((item, index) => ({ kind: 'value', segment: String(index), name: String(index), value: asNode(item) }));
      entries.push({ kind: 'value', segment: 'length', name: 'length', value: { type: 'number', value: num(n.length) } });
      const missing = num(n.length) - items.length;
      return [...entries, ...moreNote('more', missing, missing === 1 ? 'item' : 'items')];
    }
    case 'object': {
      const entries: ChildEntry[] = list(n.properties).map((p, index) => {
        const prop = (p ?? {}) as NodeFields;
        const name = str(prop.name);
        return { kind: 'value', segment: `.${index}:${name}`, name: previewKey(name, 'panel'), value: asNode(prop.value) };
      });
      if (bool(n.truncated)) entries.push({ kind: 'note', segment: 'more', text: 'more properties not captured' });
      return entries;
    }
    case 'map': {
      const entries = list(n.entries).map((e, index): ChildEntry => {
        const entry = (e ?? {}) as NodeFields;
        const key = asNode(entry.key);
        const value = asNode(entry.value);
        if (PRIMITIVE_KEYS.has(key.type)) return { kind: 'value', segment: `#${index}`, name: previewNested(key, 'panel'), value };
        // An object key would shrink to `{…}` as a name: show the entry as {key, value} instead.
        const pair: ValueNode = { type: 'object', className: '', properties: [{ name: 'key', value: key }, { name: 'value', value }], truncated: false };
        return { kind: 'value', segment: `#${index}`, name: `[${index}]`, value: pair };
      });
      return [...entries, ...moreNote('more', num(n.size) - entries.length, 'entries')];
    }
    case 'set': {
      const entries = list(n.items).map((item, index): ChildEntry => ({ kind: 'value', segment: String(index), name: String(index), value: asNode(item) }));
      return [...entries, ...moreNote('more', num(n.size) - entries.length, 'items')];
    }
    case 'binary': {
      const items = list(n.preview);
      const entries = items.map((v, index): ChildEntry => ({ kind: 'value', segment: String(index), name: String(index), value: { type: 'number', value: num(v) } }));
      entries.push({ kind: 'value', segment: 'byteLength', name: 'byteLength', value: { type: 'number', value: num(n.byteLength) } });
      return [...entries, ...moreNote('more', num(n.length) - items.length, 'elements')];
    }
    case 'promise':
      return n.value === null || n.value === undefined ? [] : [{ kind: 'value', segment: 'result', name: '[[PromiseResult]]', value: asNode(n.value) }];
    case 'error': {
      const entries: ChildEntry[] = [{ kind: 'value', segment: 'message', name: 'message', value: { type: 'string', value: str(n.message), length: str(n.message).length, truncated: false } }];
      if (typeof n.stack === 'string') entries.push({ kind: 'note', segment: 'stack', text: n.stack });
      return entries;
    }
    case 'string': {
      const text = str(n.value);
      const entries: ChildEntry[] = [{ kind: 'note', segment: 'text', text }];
      if (bool(n.truncated)) entries.push({ kind: 'note', segment: 'more', text: `${formatCount(num(n.length) - text.length)} more characters not captured` });
      return entries;
    }
    default:
      return [];
  }
}

/**
 * Folds a long child list into ranges of `chunk` (`[0 … 99]`), like a debugger's variable
 * view, so opening a node never builds more than about `chunk` rows. Range sizes grow by
 * powers of `chunk` so a level never holds more than `chunk` ranges; a range's own entries
 * are grouped again only when it is expanded. Trailing non-index entries (`length`, notes)
 * stay after the ranges.
 */
export function groupIntoRanges(entries: ChildEntry[], chunk = 100): ChildEntry[] {
  if (entries.length <= chunk) return entries;
  let split = 0;
  while (split < entries.length && /^\d+$/.test(entries[split].segment)) split++;
  const indexed = entries.slice(0, split);
  const rest = entries.slice(split);
  if (indexed.length <= chunk) return entries;
  let size = chunk;
  while (indexed.length / size > chunk) size *= chunk;
  const groups: ChildEntry[] = [];
  for (let start = 0; start < indexed.length; start += size) {
    const slice = indexed.slice(start, start + size);
    const first = slice[0].segment;
    const last = slice[slice.length - 1].segment;
    groups.push({ kind: 'range', segment: `[${first}-${last}]`, name: `[${first} … ${last}]`, children: slice });
  }
  return [...groups, ...rest];
}
