/**
 * Installed in the child's main thread before any user code: lets the capture worker
 * serialise a paused frame's scopes in ONE inspector request. The worker passes the frame's
 * scope objects (local, block, catch; innermost first) to this function through
 * `Runtime.callFunctionOn`; it lists their bindings here, in the debuggee, instead of one
 * `Runtime.getProperties` round trip per scope while the main thread stands paused.
 *
 * Same rules as the serializer: only built-ins saved at install time are called (user code
 * may patch the globals later), arrays are filled with defineProperty, and no getter runs.
 */
import type { CaptureBudgets } from '../environment-api';
import type { CaptureFunction } from './serializer';
import { SCOPE_CAPTURE_GLOBAL_KEY, type ScopeCaptureResult } from './worker-protocol';

export function installScopeCapture(capture: CaptureFunction): void {
  const key = Symbol.for(SCOPE_CAPTURE_GLOBAL_KEY);
  if (Object.getOwnPropertyDescriptor(globalThis, key)) return;
  const ownKeys = Reflect.ownKeys;
  const describe = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const create = Object.create;
  const apply = Reflect.apply;
  const hasOwn = Object.prototype.hasOwnProperty;
  const push = (array: unknown[], value: unknown): void => {
    define(array, array.length, { value, writable: true, enumerable: true, configurable: true });
  };

  const captureScopes = (budgets: CaptureBudgets, scopes: object[]): ScopeCaptureResult => {
    const names: string[] = [];
    const scopeIndex: number[] = [];
    const wasUndefined: boolean[] = [];
    const values: unknown[] = [];
    // Null prototype: plain sets and reads never reach an inherited accessor.
    const seen = create(null) as Record<string, true>;
    for (let index = 0; index < scopes.length; index++) {
      const scope = scopes[index];
      const keys = ownKeys(scope);
      for (let k = 0; k < keys.length; k++) {
        const name = keys[k];
        // Inner scopes shadow outer ones: the first binding of a name is the visible one.
        if (typeof name !== 'string' || seen[name] === true) continue;
        seen[name] = true;
        const descriptor = describe(scope, name);
        const isData = descriptor !== undefined && apply(hasOwn, descriptor, ['value']) === true;
        const value = isData ? (descriptor as PropertyDescriptor).value : undefined;
        push(names, name);
        push(scopeIndex, index);
        push(wasUndefined, value === undefined);
        push(values, value);
      }
    }
    return { names, scopeIndex, wasUndefined, captured: capture(budgets, values) };
  };
  define(globalThis, key, { value: captureScopes, enumerable: false, writable: false, configurable: false });
}
