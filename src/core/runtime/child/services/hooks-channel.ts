/**
 * The one channel from the instrumented user code to the runtime: a `const` of the global scope
 * (a global lexical binding, made by a script run in this realm), named by the host for each run
 * (runtime-globals.ts). Every module of the realm resolves the name, CommonJS and ES modules
 * alike, yet it is no property of globalThis: a user's `var` of the same name would only shadow
 * it in that module, nothing can assign or delete it, and its object is sealed with read-only
 * methods. Only the fields the runtime itself updates (the frame hooks' `p` and `h`, the probe's
 * `handler`) stay writable.
 *
 * Installed before any user code runs: the runtime on `init`, the cloud probe as it loads.
 */
import { runInThisContext } from 'node:vm';
import { defineProperty, getOwnPropertyDescriptor, objectKeys, realmGlobal, seal } from './intrinsics';
import { isHooksName } from './runtime-globals';

export function installHooksChannel(name: string, hooks: Record<string, unknown>): void {
  // The name is compiled into a script below: only the exact form the host draws is accepted.
  if (!isHooksName(name)) throw new Error(`warm-state: invalid hooks name ${JSON.stringify(name)}`);
  const keys = objectKeys(hooks);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (typeof getOwnPropertyDescriptor(hooks, key)?.value === 'function') defineProperty(hooks, key, { writable: false });
  }
  seal(hooks);
  // Handed over through a property that exists only while the script runs (no user code can).
  const carrier = `${name}_install`;
  defineProperty(realmGlobal, carrier, { value: hooks, configurable: true });
  try {
    runInThisContext(`const ${name} = this.${carrier};`, { filename: 'warm-state-hooks.js' });
  } finally {
    delete (realmGlobal as unknown as Record<string, unknown>)[carrier];
  }
}
