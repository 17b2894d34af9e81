/**
 * Compact one-line text for a captured value, in the spirit of Node's `util.inspect`
 * (`[ 'B', 'B' ]`, `Map(2) { 'a' => 1 }`), bounded by a character budget. Used by the CLI and
 * available to any text surface (hovers, status lines). Plain text only: callers add colour.
 */
import type { ValueNode } from './snapshot';

/** Default width of one formatted value. */
export const DEFAULT_VALUE_WIDTH = 72;

export function formatValue(node: ValueNode, width: number = DEFAULT_VALUE_WIDTH): string {
  const text = render(node, Math.max(8, width));
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

/** Joins rendered parts until the budget is spent, then says how many were left out. */
function list(parts: (budget: number) => string[], hidden: number, open: string, close: string, budget: number): string {
  const shown: string[] = [];
  let used = open.length + close.length + 2;
  const rendered = parts(budget);
  let omitted = hidden;
  for (let i = 0; i < rendered.length; i++) {
    const part = rendered[i];
    // Leave room for "… N more" when something would follow this part.
    const reserve = i < rendered.length - 1 || hidden > 0 ? 12 : 0;
    if (used + part.length + 2 + reserve > budget && shown.length > 0) {
      omitted += rendered.length - i;
      break;
    }
    shown.push(part);
    used += part.length + 2;
  }
  if (omitted > 0) shown.push(`… ${omitted} more`);
  if (shown.length === 0) return `${open}${close}`;
  return `${open} ${shown.join(', ')} ${close}`;
}

function render(node: ValueNode, budget: number): string {
  switch (node.type) {
    case 'string': {
      const quoted = quote(node.value);
      return node.truncated ? `${quoted.slice(0, -1)}…' (${node.length} chars)` : quoted;
    }
    case 'number': return String(node.value);
    case 'bigint': return `${node.value}n`;
    case 'boolean': return String(node.value);
    case 'undefined': return 'undefined';
    case 'null': return 'null';
    case 'symbol': return `Symbol(${node.description})`;
    case 'array': {
      const prefix = node.className === 'Array' ? '' : `${node.className}(${node.length}) `;
      const hidden = node.length - node.items.length;
      return prefix + list((b) => node.items.map((item) => render(item, b)), hidden, '[', ']', budget - prefix.length);
    }
    case 'object': {
      const prefix = node.className === 'Object' ? '' : `${node.className} `;
      const body = list((b) => node.properties.map((p) => `${propertyName(p.name)}: ${render(p.value, b)}`), 0, '{', '}', budget - prefix.length);
      return prefix + (node.truncated ? body.replace(/ ?}$/, node.properties.length ? ', … }' : '… }') : body);
    }
    case 'map': {
      const hidden = node.size - node.entries.length;
      return `${node.className}(${node.size}) ` + list((b) => node.entries.map((e) => `${render(e.key, b)} => ${render(e.value, b)}`), hidden, '{', '}', budget);
    }
    case 'set': {
      const hidden = node.size - node.items.length;
      return `${node.className}(${node.size}) ` + list((b) => node.items.map((item) => render(item, b)), hidden, '{', '}', budget);
    }
    case 'function': return formatFunction(node.name, node.kind);
    case 'date': return node.iso ?? 'Invalid Date';
    case 'regexp': return `/${node.source}/${node.flags}`;
    case 'error': return node.message ? `${node.className}: ${node.message}` : node.className;
    case 'binary': {
      const hex = node.className === 'Buffer' || node.className.endsWith('ArrayBuffer') || node.className === 'DataView';
      const items = node.preview.map((n) => (hex ? n.toString(16).padStart(2, '0') : String(n)));
      const more = node.truncated ? ` … ${node.length - node.preview.length} more` : '';
      return hex
        ? `<${node.className} ${items.join(' ')}${more}>`.replace(/ >$/, '>')
        : `${node.className}(${node.length}) [${items.join(', ')}${more}]`;
    }
    case 'promise': return `Promise { <${node.state}> }`;
    case 'proxy': return 'Proxy';
    case 'weak': return `${node.className} { <not enumerable> }`;
    case 'ref': return node.path === '$' ? '[Circular]' : `[Ref ${node.path}]`;
    case 'accessor': return node.hasGetter && node.hasSetter ? '[Getter/Setter]' : node.hasGetter ? '[Getter]' : '[Setter]';
    case 'uninitialized': return '<not yet initialised>';
    case 'depth-limit': return `[${node.summary}]`;
  }
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) || name.startsWith('[') ? name : quote(name);
}

function formatFunction(name: string, kind: Extract<ValueNode, { type: 'function' }>['kind']): string {
  const label = name || '(anonymous)';
  switch (kind) {
    case 'class': return `[class ${label}]`;
    case 'async': return `[AsyncFunction: ${label}]`;
    case 'generator': return `[GeneratorFunction: ${label}]`;
    default: return `[Function: ${label}]`;
  }
}

/** A short description of a value's size for growth messages: "Array(3)", "Map(2)", "12 chars". */
export function describeExtent(node: ValueNode): string {
  switch (node.type) {
    case 'array': return `${node.className}(${node.length})`;
    case 'map': case 'set': return `${node.className}(${node.size})`;
    case 'string': return `${node.length} chars`;
    case 'binary': return `${node.className}(${node.byteLength} bytes)`;
    case 'object': return `${node.className} with ${node.properties.length}${node.truncated ? '+' : ''} keys`;
    default: return node.type;
  }
}
