/**
 * JSON text of the plain data the runtime builds (messages to the host, its own log lines),
 * without JSON.stringify on objects: that looks up `toJSON` on every object and array, through
 * Object.prototype and Array.prototype, where user code may have put one (and reads elements
 * missing from an array through the prototype too). This encoder reads own enumerable data
 * only, with the saved built-ins (intrinsics.ts); strings are escaped by the saved
 * JSON.stringify, which never asks a string primitive for `toJSON`.
 *
 * Output matches JSON.stringify for such data: undefined, functions and symbols are left out
 * of objects and become null in arrays; NaN and the infinities are null; a Proxy (never built
 * by the runtime) is null rather than trapped. Iterative, so no depth of nesting overflows the
 * stack; a cycle (never built by the runtime either) throws once MAX_DEPTH is reached.
 */
import { arrayPrototype, getPrototypeOf, hasOwn, isArray, isProxy, itemAt, jsonStringify, objectCreate, objectKeys, objectPrototype, ownKeys } from './intrinsics';

const MAX_DEPTH = 1_000_000;

/** A container being written: its keys (null for an array), the next position, its length. */
interface Open {
  value: Record<string, unknown> | unknown[];
  keys: string[] | null;
  next: number;
  length: number;
  wrote: boolean;
}

/** The text of a value that is not a container, or undefined when JSON leaves it out. */
function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return jsonStringify(value);
    case 'number':
      return value === value && value !== Infinity && value !== -Infinity ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return jsonStringify(`${value}`);
    case 'object':
      return 'null'; // null, or a Proxy: never trapped
    default:
      return undefined; // undefined, function, symbol
  }
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && !isProxy(value);
}

function open(value: Record<string, unknown> | unknown[]): Open {
  if (isArray(value)) return { value, keys: null, next: 0, length: value.length, wrote: false };
  const keys = objectKeys(value);
  return { value, keys, next: 0, length: keys.length, wrote: false };
}

export function encodeJson(root: unknown): string {
  if (!isContainer(root)) return scalarText(root) ?? 'null';
  // Null-prototype tables: the stack of open containers (plain index writes, no inherited
  // setter) and each key's quoted text (the same few keys recur in every node).
  const stack = objectCreate(null) as Record<number, Open>;
  const quoted = objectCreate(null) as Record<string, string>;
  let depth = 0;
  let top = open(root);
  let text = top.keys === null ? '[' : '{';
  for (;;) {
    if (top.next >= top.length) {
      text += top.keys === null ? ']' : '}';
      if (depth === 0) return text;
      top = stack[--depth] as Open;
      continue;
    }
    const index = top.next++;
    let value: unknown;
    let scalar: string | undefined;
    if (top.keys === null) {
      const list = top.value as unknown[];
      value = hasOwn(list, index) ? list[index] : undefined;
      scalar = isContainer(value) ? undefined : (scalarText(value) ?? 'null');
      if (top.wrote) text += ',';
    } else {
      const key = top.keys[index] as string;
      value = (top.value as Record<string, unknown>)[key];
      scalar = isContainer(value) ? undefined : scalarText(value);
      if (scalar === undefined && !isContainer(value)) continue; // left out, as JSON does
      text += `${top.wrote ? ',' : ''}${(quoted[key] ??= jsonStringify(key))}:`;
    }
    top.wrote = true;
    if (scalar !== undefined) {
      text += scalar;
      continue;
    }
    if (depth >= MAX_DEPTH) throw new RangeError('encodeJson: nesting too deep (a cycle?)');
    stack[depth++] = top;
    top = open(value as Record<string, unknown> | unknown[]);
    text += top.keys === null ? '[' : '{';
  }
}

const bigIntPrototype: object = BigInt.prototype;

/** An own property key that is an array index: ownKeys lists those first, in ascending order. */
function isIndexKey(key: string | symbol | undefined): boolean {
  return typeof key === 'string' && key !== '' && key.length < 11 && `${+key >>> 0}` === key;
}

/**
 * Whether the saved JSON.stringify, given data built the way `encodeMessage` expects, would ask
 * nothing of the program: no `toJSON` on the prototypes it looks one up on (those of objects,
 * arrays and bigints, which it then throws on), their chains the built-in ones, and no element
 * on the prototypes a hole would be read from. Own keys and prototypes only: no code runs.
 */
function stringifyAsksNothing(): boolean {
  return (
    getPrototypeOf(arrayPrototype) === objectPrototype &&
    getPrototypeOf(bigIntPrototype) === objectPrototype &&
    !hasOwn(objectPrototype, 'toJSON') &&
    !hasOwn(arrayPrototype, 'toJSON') &&
    !hasOwn(bigIntPrototype, 'toJSON') &&
    !isIndexKey(itemAt(ownKeys(arrayPrototype), 0)) &&
    !isIndexKey(itemAt(ownKeys(objectPrototype), 0))
  );
}

/**
 * A message of the runtime's to the host: the same text as `encodeJson`, written by the saved
 * JSON.stringify (several times faster, and a result record can be a few KB per invocation)
 * when `stringifyAsksNothing`, else by `encodeJson`. Only for data the runtime built itself:
 * plain objects (or null-prototype ones) with own data properties, arrays, primitives; never a
 * Proxy or a program's object (JSON.stringify would trap the one and ask the other for
 * `toJSON`). Nesting too deep for the native recursion, or a bigint, throws there: `encodeJson`.
 */
export function encodeMessage(message: unknown): string {
  if (stringifyAsksNothing()) {
    try {
      const text: unknown = jsonStringify(message);
      if (typeof text === 'string') return text;
    } catch {
      // Too deep for the native recursion, or a bigint: the iterative encoder below.
    }
  }
  return encodeJson(message);
}
