/**
 * Deep checks of the snapshot types that arrive from a process running user code (the child's
 * messages): every value node, variable and error is checked field by field before the host
 * renders, compares or stores it, so a malformed one (`moduleScope: [null]`) is refused instead
 * of crashing whatever reads it later. Pure; no `any` escapes.
 */
import type { BindingKind, CapturedVariable, LambdaError, MemoryReading, ValueNode } from './snapshot';

/**
 * Value trees nest at most this deep: the serializer expands at most its depth budget (the
 * editor's setting allows 20) and one more node below it (a depth-limit summary), so this leaves
 * ample room for budgets and forms to change and still refuses a forged tree that would overflow
 * the stack of whatever walks it.
 */
export const MAX_VALUE_NESTING = 64;

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => isFiniteNumber(value) && value >= 0;
const isStringOrNull = (value: unknown): boolean => value === null || isString(value);

export const BINDING_KINDS: readonly BindingKind[] = ['var', 'let', 'const', 'function', 'class', 'import', 'parameter', 'local', 'block', 'catch', 'unknown'];
const FUNCTION_KINDS: readonly string[] = ['function', 'arrow', 'async', 'generator', 'class', 'bound', 'native'];
const SPELLED_NUMBERS: readonly unknown[] = ['NaN', 'Infinity', '-Infinity', '-0'];
/** Every state a promise node may carry: a state added to ValueNode without it here does not compile. */
const PROMISE_STATE_SET: Record<Extract<ValueNode, { type: 'promise' }>['state'], true> = { pending: true, fulfilled: true, rejected: true, unknown: true };
const PROMISE_STATES: readonly unknown[] = Object.keys(PROMISE_STATE_SET);

type NodeCheck = (node: Json, depth: number) => boolean;

function nodesOf(list: unknown, depth: number): boolean {
  return Array.isArray(list) && list.every((item) => checkNode(item, depth + 1));
}

/** One check per node type: adding a type to ValueNode without its check does not compile. */
const NODE_CHECKS: Record<ValueNode['type'], NodeCheck> = {
  string: (n) => isString(n.value) && isCount(n.length) && isBoolean(n.truncated),
  number: (n) => isFiniteNumber(n.value) || SPELLED_NUMBERS.includes(n.value),
  bigint: (n) => isString(n.value),
  boolean: (n) => isBoolean(n.value),
  undefined: () => true,
  null: () => true,
  symbol: (n) => isString(n.description),
  array: (n, d) => isString(n.className) && isCount(n.length) && isBoolean(n.truncated) && nodesOf(n.items, d),
  object: (n, d) =>
    isString(n.className) &&
    isBoolean(n.truncated) &&
    Array.isArray(n.properties) &&
    n.properties.every((p) => isObject(p) && isString(p.name) && checkNode(p.value, d + 1)),
  map: (n, d) =>
    isString(n.className) &&
    isCount(n.size) &&
    isBoolean(n.truncated) &&
    Array.isArray(n.entries) &&
    n.entries.every((e) => isObject(e) && checkNode(e.key, d + 1) && checkNode(e.value, d + 1)),
  set: (n, d) => isString(n.className) && isCount(n.size) && isBoolean(n.truncated) && nodesOf(n.items, d),
  function: (n) => isString(n.name) && FUNCTION_KINDS.includes(n.kind as string),
  date: (n) => isStringOrNull(n.iso),
  regexp: (n) => isString(n.source) && isString(n.flags),
  error: (n) => isString(n.className) && isString(n.message) && isStringOrNull(n.stack),
  // A float array's NaN travels as JSON null.
  binary: (n) =>
    isString(n.className) &&
    isCount(n.byteLength) &&
    isCount(n.length) &&
    isBoolean(n.truncated) &&
    Array.isArray(n.preview) &&
    n.preview.every((x) => x === null || isFiniteNumber(x)),
  promise: (n, d) => PROMISE_STATES.includes(n.state) && (n.value === null || checkNode(n.value, d + 1)),
  proxy: () => true,
  weak: (n) => isString(n.className),
  ref: (n) => isString(n.path),
  accessor: (n) => isBoolean(n.hasGetter) && isBoolean(n.hasSetter),
  uninitialized: () => true,
  'depth-limit': (n) => isString(n.className) && isString(n.summary),
};

function checkNode(value: unknown, depth: number): boolean {
  if (depth > MAX_VALUE_NESTING || !isObject(value) || !isString(value.type)) return false;
  const check = Object.prototype.hasOwnProperty.call(NODE_CHECKS, value.type) ? NODE_CHECKS[value.type as ValueNode['type']] : undefined;
  return check !== undefined && check(value, depth);
}

/** A whole value tree, every node checked. */
export function isValueNode(value: unknown): value is ValueNode {
  return checkNode(value, 0);
}

export function isCapturedVariable(value: unknown): value is CapturedVariable {
  return (
    isObject(value) &&
    isString(value.name) &&
    BINDING_KINDS.includes(value.kind as BindingKind) &&
    isValueNode(value.value) &&
    isObject(value.size) &&
    isCount(value.size.total) &&
    isBoolean(value.size.exact)
  );
}

export function isLambdaError(value: unknown): value is LambdaError {
  return isObject(value) && isString(value.errorType) && isString(value.errorMessage) && Array.isArray(value.trace) && value.trace.every(isString);
}

export function isMemoryReading(value: unknown): value is MemoryReading {
  return isObject(value) && isCount(value.rssBytes) && isCount(value.heapUsedBytes) && (value.externalBytes === undefined || isCount(value.externalBytes));
}
