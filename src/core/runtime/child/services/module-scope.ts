/**
 * Reads a handler module's top-level bindings through the direct-eval probe that
 * instrument.ts injects, and serialises them in one call. Shared by the local child and the
 * cloud probe, so both show module scope the same way.
 */
import { types as utilTypes } from 'node:util';
import type { CapturedVariable, ValueNode } from '../../../model/snapshot';
import type { CaptureBudgets } from '../../environment-api';
import type { ModuleBinding } from '../../instrument/instrument';
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
  // Index loops and plain arrays only: by now user code may have replaced Array.prototype's
  // forEach, map or push, or Map.prototype's methods, and none of it may run here.
  const values: unknown[] = [];
  const special: Array<ValueNode | undefined> = [];
  for (let index = 0; index < bindings.length; index++) {
    const binding = bindings[index] as ModuleBinding;
    try {
      let value = read(binding.binding);
      if (binding.property !== undefined) {
        // A rewritten import `_mod.x`: read the own data property only, never a getter.
        if ((typeof value === 'object' || typeof value === 'function') && value !== null && !isProxy(value)) {
          const descriptor = getOwnPropertyDescriptor(value, binding.property);
          if (descriptor && !('value' in descriptor)) special[index] = { type: 'accessor', hasGetter: !!descriptor.get, hasSetter: !!descriptor.set };
          value = descriptor && 'value' in descriptor ? descriptor.value : undefined;
        } else {
          value = undefined;
        }
      }
      values[index] = value;
    } catch {
      // A top-level let/const/class read before its declaration ran: temporal dead zone.
      special[index] = { type: 'uninitialized' };
      values[index] = undefined;
    }
  }
  const captured = capture(budgets, values);
  const variables: CapturedVariable[] = [];
  for (let index = 0; index < bindings.length; index++) {
    const binding = bindings[index] as ModuleBinding;
    const replacement = special[index];
    const item = captured[index];
    variables[index] = {
      name: binding.name,
      kind: binding.kind,
      value: replacement ?? item?.value ?? { type: 'undefined' },
      size: replacement ? EMPTY_SIZE : (item?.size ?? EMPTY_SIZE),
    };
  }
  return variables;
}
