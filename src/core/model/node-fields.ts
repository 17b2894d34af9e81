/**
 * Defensive reading of ValueNodes. The panel receives them through postMessage, and its guard
 * checks only their outer shape (an object with a string `type`, webview-protocol/panel.ts):
 * so every field is read with the type it should have and a neutral default, and a malformed
 * node shows what can be read of it instead of throwing.
 */
import type { ValueNode } from './snapshot';

/** The fields of a node, for the readers below. */
export type NodeFields = Record<string, unknown>;

const UNKNOWN: ValueNode = { type: 'depth-limit', className: '', summary: 'unknown value' };

/** A ValueNode, or a stand-in for anything that is not one. */
export function asNode(value: unknown): ValueNode {
  if (typeof value === 'object' && value !== null && typeof (value as NodeFields).type === 'string') return value as ValueNode;
  return UNKNOWN;
}

export function fieldsOf(node: ValueNode): NodeFields {
  return node as unknown as NodeFields;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
export function bool(value: unknown): boolean {
  return value === true;
}
