/**
 * One-line previews of captured values: one builder, two styles.
 *
 * - `inspect`, for terminals (the CLI): Node's `util.inspect` look (`[ 'B', 'B' ]`,
 *   `Map(2) { 'a' => 1 }`); nested values are written in full while the width lasts, and the
 *   whole is cut to the width with `…`.
 * - `panel`, for the webview: a debugger's variables-view look (`Array(2) ["B", "B"]`,
 *   `Map(2) {"a" => 1}`); nested containers are summarised (`Map(1)`, `{…}`), counts grouped.
 *
 * Both spend a character budget as vscode-js-debug's previews do: items are added while they
 * fit, the rest is counted (`… 3 more`) or elided (`…`), and an item is rendered only when it
 * gets that far. The builder owns what is shown of each node type (parts, counts, what was not
 * captured); a style owns only the words and punctuation. Nodes are read defensively
 * (node-fields.ts), so a malformed one previews as what can be read of it. Plain text: callers
 * add colour and any escaping their medium needs.
 */
import { asNode, bool, fieldsOf, list, num, str, type NodeFields } from './node-fields';
import type { ValueNode } from './snapshot';

export type PreviewStyle = 'inspect' | 'panel';

/** Characters a preview takes when the caller does not say: a CLI value column, a panel row. */
export const DEFAULT_PREVIEW_BUDGET: Readonly<Record<PreviewStyle, number>> = { inspect: 72, panel: 80 };

/** A value on one line in about `budget` characters (`inspect`: at most `budget`). */
export function previewValue(node: ValueNode, style: PreviewStyle, budget: number = DEFAULT_PREVIEW_BUDGET[style]): string {
  return STYLES[style].preview(node, budget);
}

/** A value as written inside another's preview (the panel also names a Map's rows with it). */
export function previewNested(node: ValueNode, style: PreviewStyle, budget: number = DEFAULT_PREVIEW_BUDGET[style]): string {
  return STYLES[style].nested(node, budget);
}

/** A property name as a preview writes it: bare when it is an identifier, else quoted. */
export function previewKey(name: string, style: PreviewStyle): string {
  return STYLES[style].key(name);
}

/** `1,000,000`: item counts in the panel. */
export function formatCount(value: number): string {
  return integer.format(value);
}
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

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

// ---------------------------------------------------------------------------------------
// The builder: what each node type shows.
// ---------------------------------------------------------------------------------------

type ContainerKind = 'array' | 'object' | 'map' | 'set';
type FunctionKind = Extract<ValueNode, { type: 'function' }>['kind'];

/** What a container's preview is made of, whatever the style. */
interface Container {
  kind: ContainerKind;
  /** Defaulted for arrays, maps and sets; an object's may be '' (the panel's key/value pairs). */
  className: string;
  /** Length or size; null for objects, whose previews carry no count. */
  count: number | null;
  /** How many items, properties or entries were captured. */
  captured: number;
  /** The i-th captured item, `key: value` property or `key => value` entry: rendered only when it gets into the budget. */
  part(index: number, budget: number): string;
  /** Items known to exist but not captured. */
  hidden: number;
  /** An object whose further properties were not captured (how many is unknown). */
  truncated: boolean;
}

interface Binary {
  className: string;
  length: number;
  /** As captured: a typed array's NaN arrives as null through JSON, and each style has always written that its own way. */
  preview: unknown[];
  truncated: boolean;
}

/** The words and punctuation of one style. */
interface Style {
  /** The top-level preview. */
  preview(node: ValueNode, budget: number): string;
  /** A value inside a container's preview. */
  nested(node: ValueNode, budget: number): string;
  key(name: string): string;
  container(container: Container, budget: number): string;
  string(value: string, length: number, truncated: boolean, budget: number): string;
  functions: Readonly<Record<FunctionKind, (name: string) => string>>;
  error(className: string, message: string, budget: number): string;
  binary(binary: Binary, budget: number): string;
  promise(state: string, value: ValueNode | null): string;
  proxy: string;
  weak(className: string): string;
  ref(path: string): string;
  accessor(getter: boolean, setter: boolean): string;
  uninitialized: string;
  depthLimit(summary: string): string;
}

function render(node: ValueNode, style: Style, budget: number): string {
  const n = fieldsOf(node);
  switch (node.type) {
    case 'string': return style.string(str(n.value), num(n.length), bool(n.truncated), budget);
    case 'number': return typeof n.value === 'number' ? String(n.value) : str(n.value) || 'NaN';
    case 'bigint': return `${str(n.value)}n`;
    case 'boolean': return n.value === true ? 'true' : 'false';
    case 'undefined': return 'undefined';
    case 'null': return 'null';
    case 'symbol': return `Symbol(${str(n.description)})`;
    case 'array': case 'object': case 'map': case 'set': return style.container(containerOf(node.type, n, style), budget);
    case 'function': {
      const kind = str(n.kind);
      return (Object.hasOwn(style.functions, kind) ? style.functions[kind as FunctionKind] : style.functions.function)(str(n.name));
    }
    case 'date': return typeof n.iso === 'string' ? n.iso : 'Invalid Date';
    case 'regexp': return `/${str(n.source)}/${str(n.flags)}`;
    case 'error': return style.error(str(n.className) || 'Error', str(n.message), budget);
    case 'binary': {
      const binary = { className: str(n.className) || 'Buffer', length: num(n.length), preview: list(n.preview), truncated: bool(n.truncated) };
      return style.binary(binary, budget);
    }
    case 'promise': return style.promise(str(n.state) || 'pending', n.value === null || n.value === undefined ? null : asNode(n.value));
    case 'proxy': return style.proxy;
    case 'weak': return style.weak(str(n.className) || 'WeakMap');
    case 'ref': return style.ref(str(n.path));
    case 'accessor': return style.accessor(bool(n.hasGetter), bool(n.hasSetter));
    case 'uninitialized': return style.uninitialized;
    case 'depth-limit': return style.depthLimit(str(n.summary));
    default: return unknownType(node);
  }
}

/** `node` is `never` for the compiler (a new node type must get a case above), not at runtime. */
function unknownType(node: never): string {
  return `(unknown value type ${cut(str(fieldsOf(node).type), 30)})`;
}

const DEFAULT_CLASS: Readonly<Record<ContainerKind, string>> = { array: 'Array', object: '', map: 'Map', set: 'Set' };

function containerOf(kind: ContainerKind, n: NodeFields, style: Style): Container {
  const className = str(n.className) || DEFAULT_CLASS[kind];
  const nested = (value: unknown, budget: number) => style.nested(asNode(value), budget);
  switch (kind) {
    case 'object': {
      const properties = list(n.properties);
      const part = (index: number, budget: number) => {
        const property = (properties[index] ?? {}) as NodeFields;
        return `${style.key(str(property.name))}: ${nested(property.value, budget)}`;
      };
      return { kind, className, count: null, captured: properties.length, part, hidden: 0, truncated: bool(n.truncated) };
    }
    case 'map': {
      const entries = list(n.entries);
      const part = (index: number, budget: number) => {
        const entry = (entries[index] ?? {}) as NodeFields;
        return `${nested(entry.key, budget)} => ${nested(entry.value, budget)}`;
      };
      const size = num(n.size);
      return { kind, className, count: size, captured: entries.length, part, hidden: size - entries.length, truncated: false };
    }
    default: {
      const items = list(n.items);
      const count = num(kind === 'array' ? n.length : n.size);
      return { kind, className, count, captured: items.length, part: (index, budget) => nested(items[index], budget), hidden: count - items.length, truncated: false };
    }
  }
}

function brackets(kind: ContainerKind): [string, string] {
  return kind === 'array' ? ['[', ']'] : ['{', '}'];
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

// ---------------------------------------------------------------------------------------
// inspect: the CLI.
// ---------------------------------------------------------------------------------------

function quoteSingle(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

/** `open a, b, … N more close` within the budget: parts are added while they fit, leaving room for the count. */
function fitInspect(c: Container, open: string, close: string, budget: number): string {
  const shown: string[] = [];
  let used = open.length + close.length + 2;
  let omitted = c.hidden;
  for (let i = 0; i < c.captured; i++) {
    const part = c.part(i, budget);
    // Leave room for "… N more" when something would follow this part.
    const reserve = i < c.captured - 1 || c.hidden > 0 ? 12 : 0;
    if (used + part.length + 2 + reserve > budget && shown.length > 0) {
      omitted += c.captured - i;
      break;
    }
    shown.push(part);
    used += part.length + 2;
  }
  if (omitted > 0) shown.push(`… ${omitted} more`);
  if (shown.length === 0) return `${open}${close}`;
  return `${open} ${shown.join(', ')} ${close}`;
}

const INSPECT: Style = {
  preview(node, width) {
    const text = render(node, INSPECT, Math.max(8, width));
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  },
  nested: (node, budget) => render(node, INSPECT, budget),
  key: (name) => (IDENTIFIER.test(name) || name.startsWith('[') ? name : quoteSingle(name)),
  container(c, budget) {
    const plain = c.className === (c.kind === 'array' ? 'Array' : c.kind === 'object' ? 'Object' : null);
    const head = plain ? '' : c.count === null ? `${c.className} ` : `${c.className}(${c.count}) `;
    const [open, close] = brackets(c.kind);
    // Maps and sets measure their items without the `Map(n) ` head: what the CLI always printed.
    const body = fitInspect(c, open, close, c.kind === 'map' || c.kind === 'set' ? budget : budget - head.length);
    return head + (c.truncated ? body.replace(/ ?}$/, c.captured ? ', … }' : '… }') : body);
  },
  string(value, length, truncated) {
    const quoted = quoteSingle(value);
    return truncated ? `${quoted.slice(0, -1)}…' (${length} chars)` : quoted;
  },
  functions: {
    function: (name) => `[Function: ${name || '(anonymous)'}]`,
    arrow: (name) => `[Function: ${name || '(anonymous)'}]`,
    bound: (name) => `[Function: ${name || '(anonymous)'}]`,
    native: (name) => `[Function: ${name || '(anonymous)'}]`,
    async: (name) => `[AsyncFunction: ${name || '(anonymous)'}]`,
    generator: (name) => `[GeneratorFunction: ${name || '(anonymous)'}]`,
    class: (name) => `[class ${name || '(anonymous)'}]`,
  },
  error: (className, message) => (message ? `${className}: ${message}` : className),
  binary(b) {
    const hex = b.className === 'Buffer' || b.className.endsWith('ArrayBuffer') || b.className === 'DataView';
    const items = b.preview.map((element) => (hex ? num(element).toString(16).padStart(2, '0') : String(element)));
    const more = b.truncated ? ` … ${b.length - b.preview.length} more` : '';
    return hex ? `<${b.className} ${items.join(' ')}${more}>`.replace(/ >$/, '>') : `${b.className}(${b.length}) [${items.join(', ')}${more}]`;
  },
  promise: (state) => `Promise { <${state}> }`,
  proxy: 'Proxy',
  weak: (className) => `${className} { <not enumerable> }`,
  ref: (path) => (path === '$' ? '[Circular]' : `[Ref ${path}]`),
  accessor: (getter, setter) => (getter && setter ? '[Getter/Setter]' : getter ? '[Getter]' : '[Setter]'),
  uninitialized: '<not yet initialised>',
  depthLimit: (summary) => `[${summary}]`,
};

// ---------------------------------------------------------------------------------------
// panel: the webview.
// ---------------------------------------------------------------------------------------

/** `a, b, …` within the budget: parts are added while they fit, an ellipsis says more exist. */
function fitPanel(count: number, part: (index: number) => string, more: boolean, budget: number): string {
  let text = '';
  let shown = 0;
  for (; shown < count; shown++) {
    const next = text ? `${text}, ${part(shown)}` : part(shown);
    if (next.length > budget) break;
    text = next;
  }
  if (shown < count || more) text = text ? `${text}, …` : '…';
  return text;
}

/** Budget of a nested value the panel does not summarise (a number, a date, a ref...). */
const PANEL_NESTED_BUDGET = 40;

const PANEL: Style = {
  preview: (node, budget) => render(node, PANEL, budget),
  nested(node) {
    // Containers shrink to their head, so a row shows the shape of its value, not its depths.
    const n = fieldsOf(node);
    switch (node.type) {
      case 'string': return JSON.stringify(cut(str(n.value), 24)) + (bool(n.truncated) ? '…' : '');
      case 'array': return `${str(n.className) || 'Array'}(${formatCount(num(n.length))})`;
      case 'object': return str(n.className) && str(n.className) !== 'Object' ? str(n.className) : '{…}';
      case 'map': return `${str(n.className) || 'Map'}(${formatCount(num(n.size))})`;
      case 'set': return `${str(n.className) || 'Set'}(${formatCount(num(n.size))})`;
      case 'binary': return `${str(n.className) || 'Buffer'}(${formatCount(num(n.length))})`;
      case 'function': return node.kind === 'class' ? `class ${str(n.name)}` : 'ƒ';
      case 'error': return str(n.className) || 'Error';
      default: return render(node, PANEL, PANEL_NESTED_BUDGET);
    }
  },
  key: (name) => (IDENTIFIER.test(name) ? name : JSON.stringify(name)),
  container(c, budget) {
    const head = c.count === null ? (c.className && c.className !== 'Object' ? `${c.className} ` : '') : `${c.className}(${formatCount(c.count)}) `;
    const [open, close] = brackets(c.kind);
    return `${head}${open}${fitPanel(c.captured, (index) => c.part(index, budget), c.hidden > 0 || c.truncated, budget)}${close}`;
  },
  string: (value, length, truncated, budget) => JSON.stringify(cut(value, budget)) + (truncated ? `… (${formatCount(length)} chars)` : ''),
  functions: {
    function: (name) => `ƒ ${name}()`,
    arrow: (name) => `${name ? `${name} ` : ''}() => {…}`,
    async: (name) => `async ƒ ${name}()`,
    generator: (name) => `ƒ* ${name}()`,
    bound: (name) => `bound ƒ ${name}()`,
    native: (name) => `ƒ ${name}() { [native code] }`,
    class: (name) => `class ${name || '(anonymous)'}`,
  },
  error: (className, message, budget) => `${className}${message ? `: ${cut(message, budget)}` : ''}`,
  binary(b, budget) {
    const items = (index: number) => String(num(b.preview[index]));
    return `${b.className}(${formatCount(b.length)}) [${fitPanel(b.preview.length, items, b.preview.length < b.length, budget)}]`;
  },
  promise: (state, value) => `Promise {<${state}>${value ? `: ${PANEL.nested(value, PANEL_NESTED_BUDGET)}` : ''}}`,
  proxy: 'Proxy (not inspected)',
  weak: (className) => `${className} (contents not enumerable)`,
  ref: (path) => `↻ same value as ${path || 'above'}`,
  accessor(getter, setter) {
    const parts = [getter ? 'getter' : '', setter ? 'setter' : ''].filter(Boolean);
    return `(${parts.join('/') || 'accessor'}, not invoked)`;
  },
  uninitialized: '<uninitialized: temporal dead zone>',
  depthLimit: (summary) => (summary ? `${summary} (not expanded: depth limit)` : 'unknown value'),
};

const STYLES: Readonly<Record<PreviewStyle, Style>> = { inspect: INSPECT, panel: PANEL };
