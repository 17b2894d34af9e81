/**
 * Reads a handler module's top-level bindings through the direct-eval probe that
 * instrument.ts injects, and serialises them in one call. Shared by the local child and the
 * cloud probe, so both show module scope the same way.
 */
import { types as utilTypes } from 'node:util';
import type { CapturedVariable, ValueNode } from '../../model/snapshot';
import type { CaptureBudgets } from '../environment-api';
import type { ModuleBinding } from './instrument';
import type { CaptureFunction } from './serializer';

// Saved when the child's bundle loads, before user code can replace them.
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const isProxy = utilTypes.isProxy;
const EMPTY_SIZE = { total: 0, exact: true };

/** `read(name)` evaluates a bare binding name inside the module (the injected probe). */
export function readModuleScope(
  read: (name: string) => unknown,
  bindings: readonly ModuleBinding[],
  capture: CaptureFunction,
  budgets: CaptureBudgets,
): CapturedVariable[] {
  const values: unknown[] = [];
  const special = new Map<number, ValueNode>();
  bindings.forEach((binding, index) => {
    try {
      let value = read(binding.binding);
      if (binding.property !== undefined) {
        // A rewritten import `_mod.x`: read the own data property only, never a getter.
        if ((typeof value === 'object' || typeof value === 'function') && value !== null && !isProxy(value)) {
          const descriptor = getOwnPropertyDescriptor(value, binding.property);
          if (descriptor && !('value' in descriptor)) special.set(index, { type: 'accessor', hasGetter: !!descriptor.get, hasSetter: !!descriptor.set });
          value = descriptor && 'value' in descriptor ? descriptor.value : undefined;
        } else {
          value = undefined;
        }
      }
      values.push(value);
    } catch {
      // A top-level let/const/class read before its declaration ran: temporal dead zone.
      special.set(index, { type: 'uninitialized' });
      values.push(undefined);
    }
  });
  const captured = capture(budgets, values);
  return bindings.map((binding, index): CapturedVariable => {
    const replacement = special.get(index);
    const item = captured[index];
    return {
      name: binding.name,
      kind: binding.kind,
      value: replacement ?? item?.value ?? { type: 'undefined' },
      size: replacement ? EMPTY_SIZE : (item?.size ?? EMPTY_SIZE),
    };
  });
}
