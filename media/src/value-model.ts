/**
 * Pure view model of a captured ValueNode: one-line previews and the child list of an
 * expandable node. Every field is read defensively: the host validates only the outer
 * shape of values, so a malformed node renders as "unknown" instead of throwing.
 */
import type { ValueNode } from '../../src/core/model/snapshot';
import { formatCount } from './format';

type Loose = Record<string, unknown>;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function bool(value: unknown): boolean {
  return value === true;
}

const UNKNOWN: ValueNode = { type: 'depth-limit', className: '', summary: 'unknown value' };

/** A ValueNode, or a stand-in for anything that is not one. */
export function asNode(value: unknown): ValueNode {
  if (typeof value === 'object' && value !== null && typeof (value as Loose).type === 'string') return value as ValueNode;
  return UNKNOWN;
}

function loose(node: ValueNode): Loose {
  return node as unknown as Loose;
}

export type ChildEntry =
  | { kind: 'value'; segment: string; name: string; value: ValueNode }
  /** A leaf that only says something, e.g. "999,950 more items not captured". */
  | { kind: 'note'; segment: string; text: string }
  /** Several children folded into `[100 … 199]`, so huge lists stay cheap to open. */
  | { kind: 'range'; segment: string; name: string; children: ChildEntry[] };

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

const SIMPLE_NAME = /^[A-Za-z_$][\w$]*$/;
/** Map keys short enough to serve as a row name. */
const PRIMITIVE_KEYS = new Set(['string', 'number', 'bigint', 'boolean', 'undefined', 'null', 'symbol', 'date', 'regexp']);

function propertyName(name: string): string {
  return SIMPLE_NAME.test(name) ? name : quote(name);
}

function classPrefix(className: string, generic: string): string {
  return className && className !== generic ? `${className} ` : '';
}

/** Text of a value where it is nested inside another's preview: short, containers summarized. */
function nestedPreview(node: ValueNode): string {
  const n = loose(node);
  switch (node.type) {
    case 'string': return quote(cut(str(n.value), 24)) + (bool(n.truncated) ? '…' : '');
    case 'array': return `${str(n.className) || 'Array'}(${formatCount(num(n.length))})`;
    case 'object': return str(n.className) && str(n.className) !== 'Object' ? str(n.className) : '{…}';
    case 'map': return `${str(n.className) || 'Map'}(${formatCount(num(n.size))})`;
    case 'set': return `${str(n.className) || 'Set'}(${formatCount(num(n.size))})`;
    case 'binary': return `${str(n.className) || 'Buffer'}(${formatCount(num(n.length))})`;
    case 'function': return node.kind === 'class' ? `class ${str(n.name)}` : 'ƒ';
    case 'error': return str(n.className) || 'Error';
    default: return preview(node, 40);
  }
}

function listPreview(parts: string[], more: boolean, budget: number): string {
  let text = '';
  let shown = 0;
  for (const part of parts) {
    const next = text ? `${text}, ${part}` : part;
    if (next.length > budget) break;
    text = next;
    shown++;
  }
  if (shown < parts.length || more) text = text ? `${text}, …` : '…';
  return text;
}

/** One-line preview of a value, at most about `budget` characters. */
export function preview(node: ValueNode, budget = 80): string {
  const n = loose(node);
  switch (node.type) {
    case 'string':
      return quote(cut(str(n.value), budget)) + (bool(n.truncated) ? `… (${formatCount(num(n.length))} chars)` : '');
    case 'number': {
      const value = n.value;
      return typeof value === 'number' ? String(value) : str(value) || 'NaN';
    }
    case 'bigint': return `${str(n.value)}n`;
    case 'boolean': return n.value === true ? 'true' : 'false';
    case 'undefined': return 'undefined';
    case 'null': return 'null';
    case 'symbol': return `Symbol(${str(n.description)})`;
    case 'array': {
      const items = list(n.items).map((item) => nestedPreview(asNode(item)));
      const length = num(n.length);
      return `${str(n.className) || 'Array'}(${formatCount(length)}) [${listPreview(items, items.length < length, budget)}]`;
    }
    case 'object': {
      const parts = list(n.properties).map((p) => {
        const prop = (p ?? {}) as Loose;
        return `${propertyName(str(prop.name))}: ${nestedPreview(asNode(prop.value))}`;
      });
      return `${classPrefix(str(n.className), 'Object')}{${listPreview(parts, bool(n.truncated), budget)}}`;
    }
    case 'map': {
      const parts = list(n.entries).map((e) => {
        const entry = (e ?? {}) as Loose;
        return `${nestedPreview(asNode(entry.key))} => ${nestedPreview(asNode(entry.value))}`;
      });
      const size = num(n.size);
      return `${str(n.className) || 'Map'}(${formatCount(size)}) {${listPreview(parts, parts.length < size, budget)}}`;
    }
    case 'set': {
      const parts = list(n.items).map((item) => nestedPreview(asNode(item)));
      const size = num(n.size);
      return `${str(n.className) || 'Set'}(${formatCount(size)}) {${listPreview(parts, parts.length < size, budget)}}`;
    }
    case 'function': {
      const name = str(n.name);
      switch (n.kind) {
        case 'class': return `class ${name || '(anonymous)'}`;
        case 'arrow': return `${name ? `${name} ` : ''}() => {…}`;
        case 'async': return `async ƒ ${name}()`;
        case 'generator': return `ƒ* ${name}()`;
        case 'bound': return `bound ƒ ${name}()`;
        case 'native': return `ƒ ${name}() { [native code] }`;
        default: return `ƒ ${name}()`;
      }
    }
    case 'date': return typeof n.iso === 'string' ? n.iso : 'Invalid Date';
    case 'regexp': return `/${str(n.source)}/${str(n.flags)}`;
    case 'error': {
      const message = str(n.message);
      return `${str(n.className) || 'Error'}${message ? `: ${cut(message, budget)}` : ''}`;
    }
    case 'binary': {
      const items = list(n.preview).map((v) => String(num(v)));
      const length = num(n.length);
      return `${str(n.className) || 'Buffer'}(${formatCount(length)}) [${listPreview(items, items.length < length, budget)}]`;
    }
    case 'promise': {
      const state = str(n.state) || 'pending';
      const value = n.value === null || n.value === undefined ? '' : `: ${nestedPreview(asNode(n.value))}`;
      return `Promise {<${state}>${value}}`;
    }
    case 'proxy': return 'Proxy (not inspected)';
    case 'weak': return `${str(n.className) || 'WeakMap'} (contents not enumerable)`;
    case 'ref': return `↻ same value as ${str(n.path) || 'above'}`;
    case 'accessor': {
      const parts = [bool(n.hasGetter) ? 'getter' : '', bool(n.hasSetter) ? 'setter' : ''].filter(Boolean);
      return `(${parts.join('/') || 'accessor'}, not invoked)`;
    }
    case 'uninitialized': return '<uninitialized: temporal dead zone>';
    case 'depth-limit': {
      const summary = str(n.summary);
      return summary ? `${summary} (not expanded: depth limit)` : 'unknown value';
    }
    default:
      return `(unknown value type ${cut(str(n.type), 30)})`;
  }
}

/** A short type label shown beside the preview. */
export function typeLabel(node: ValueNode): string {
  const n = loose(node);
  switch (node.type) {
    case 'array': case 'object': case 'map': case 'set': case 'binary': case 'error': case 'weak':
      return str(n.className) || node.type;
    case 'function': return node.kind === 'class' ? 'class' : 'function';
    default: return node.type;
  }
}

/** Whether the node has anything to show below it. */
export function isExpandable(node: ValueNode): boolean {
  const n = loose(node);
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
  const n = loose(node);
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
        const prop = (p ?? {}) as Loose;
        const name = str(prop.name);
        return { kind: 'value', segment: `.${index}:${name}`, name: propertyName(name), value: asNode(prop.value) };
      });
      if (bool(n.truncated)) entries.push({ kind: 'note', segment: 'more', text: 'more properties not captured' });
      return entries;
    }
    case 'map': {
      const entries = list(n.entries).map((e, index): ChildEntry => {
        const entry = (e ?? {}) as Loose;
        const key = asNode(entry.key);
        const value = asNode(entry.value);
        if (PRIMITIVE_KEYS.has(key.type)) return { kind: 'value', segment: `#${index}`, name: nestedPreview(key), value };
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
