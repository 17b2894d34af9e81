/**
 * Module scope: the handler module ends with a call that hands the runtime a reader of its
 * top-level bindings (instrument.ts appends it: `hooks.module(reader, bindings)`), and after each
 * invocation the bindings are read through it and serialised in one call. Shared by the local
 * child and the cloud probe, so both show module scope the same way.
 *
 * Runs after user code, so only with saved built-ins (intrinsics.ts): index loops, `append`, and
 * own data reads of the binding list (decoded from the JSON text the instrumenter wrote).
 */
import type { BindingKind, CapturedVariable, ValueNode } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../environment-api';
import type { ModuleBinding } from '../../instrument/instrument';
import { append, getOwnPropertyDescriptor, hasOwn, isArray, isProxy, itemAt, jsonParse, ownValue } from './intrinsics';
import type { CaptureFunction } from './serializer';

const EMPTY_SIZE = { total: 0, exact: true };

/** `read(index)` returns the value of the index-th binding's variable (or throws in its dead zone). */
export type ModuleReader = (index: number) => unknown;

export interface ModuleProbe {
  /** What the appended call reaches as `hooks.module`. The first registration stands. */
  register(reader: unknown, bindingsJson: unknown): void;
  /** The bindings and their reader, once the module body has run to its end. */
  registered(): { reader: ModuleReader; bindings: ModuleBinding[] } | null;
}

export function createModuleProbe(): ModuleProbe {
  let current: { reader: ModuleReader; bindings: ModuleBinding[] } | null = null;
  return {
    register(reader, bindingsJson) {
      if (current || typeof reader !== 'function' || typeof bindingsJson !== 'string') return;
      try {
        current = { reader: reader as ModuleReader, bindings: decodeBindings(bindingsJson) };
      } catch {
        // Not the instrumenter's text: no module scope rather than a broken one.
      }
    },
    registered: () => current,
  };
}

function decodeBindings(text: string): ModuleBinding[] {
  const parsed = jsonParse(text);
  const bindings: ModuleBinding[] = [];
  if (!isArray(parsed)) return bindings;
  for (let i = 0; i < parsed.length; i++) {
    const item = itemAt(parsed, i);
    const name = ownValue(item, 'name');
    const kind = ownValue(item, 'kind');
    const binding = ownValue(item, 'binding');
    const property = ownValue(item, 'property');
    if (typeof name !== 'string' || typeof kind !== 'string' || typeof binding !== 'string') continue;
    // `property` is always an own key, so that reading it never reaches Object.prototype.
    append(bindings, { name, kind: kind as BindingKind, binding, property: typeof property === 'string' ? property : undefined });
  }
  return bindings;
}

export function readModuleScope(read: ModuleReader, bindings: readonly ModuleBinding[], capture: CaptureFunction, budgets: CaptureBudgets): CapturedVariable[] {
  const values: unknown[] = [];
  /** Per binding: a node that stands instead of the serialised value, else null. */
  const special: Array<ValueNode | null> = [];
  for (let index = 0; index < bindings.length; index++) {
    const binding = itemAt(bindings, index) as ModuleBinding;
    let value: unknown;
    let replacement: ValueNode | null = null;
    try {
      value = read(index);
      if (binding.property !== undefined) {
        // A rewritten import `_mod.x`: read the own data property only, never a getter.
        const descriptor = (typeof value === 'object' || typeof value === 'function') && value !== null && !isProxy(value) ? getOwnPropertyDescriptor(value, binding.property) : undefined;
        if (descriptor && !hasOwn(descriptor, 'value')) replacement = { type: 'accessor', hasGetter: descriptor.get !== undefined, hasSetter: descriptor.set !== undefined };
        value = descriptor && hasOwn(descriptor, 'value') ? descriptor.value : undefined;
      }
    } catch {
      // A top-level let/const/class read before its declaration ran: temporal dead zone.
      replacement = { type: 'uninitialized' };
      value = undefined;
    }
    append(values, value);
    append(special, replacement);
  }
  const captured = capture(budgets, values);
  const variables: CapturedVariable[] = [];
  for (let index = 0; index < bindings.length; index++) {
    const binding = itemAt(bindings, index) as ModuleBinding;
    const replacement = itemAt(special, index) ?? null;
    const item = itemAt(captured, index);
    append(variables, {
      name: binding.name,
      kind: binding.kind,
      value: replacement ?? item?.value ?? { type: 'undefined' },
      size: replacement ? EMPTY_SIZE : (item?.size ?? EMPTY_SIZE),
    });
  }
  return variables;
}
