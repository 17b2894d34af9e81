/**
 * Structural comparison of captured values and per-variable change marks.
 * Pure functions over the snapshot contract: no user objects, only ValueNodes.
 */
import type { Change, PropertyNode, ValueNode } from './snapshot';

/** True when two captured values have the same shape and content (every field of every node). */
export function valuesEqual(a: ValueNode, b: ValueNode): boolean {
  return nodesEqual(a, b);
}

function nodesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!nodesEqual(a[i], b[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(right, key) || !nodesEqual(left[key], right[key])) return false;
  }
  return true;
}

/** What a variable needs for comparison: its value and, when known, its size measure. */
export interface Comparable {
  name: string;
  value: ValueNode;
  /** The full size; catches changes the value's budgets cut off (item 60 of a long array). */
  sizeTotal?: number;
}

/**
 * The change mark of `current` against the same-named variable of the previous snapshot
 * (undefined when it had none).
 */
export function changeOf(current: Comparable, previous: Comparable | undefined): Exclude<Change, 'removed'> {
  if (!previous) return 'added';
  if (current.sizeTotal !== undefined && previous.sizeTotal !== undefined && current.sizeTotal !== previous.sizeTotal) return 'changed';
  return valuesEqual(current.value, previous.value) ? 'unchanged' : 'changed';
}

/** Variables of `previous` that `current` no longer has, in their previous order. */
export function removedSince<T extends { name: string }>(current: readonly { name: string }[], previous: readonly T[]): T[] {
  const names = new Set(current.map((v) => v.name));
  return previous.filter((v) => !names.has(v.name));
}

/** Looks a property up by name in an object node; handy for tests and renderers. */
export function propertyOf(node: ValueNode, name: string): PropertyNode | undefined {
  return node.type === 'object' ? node.properties.find((p) => p.name === name) : undefined;
}
