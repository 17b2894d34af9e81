/**
 * How the instrumented user code reaches the runtime, and which files it is. Kept apart from the
 * instrumenters (instrument.ts, frame-instrument.ts) so that the runtime bundle can load those,
 * and acorn with them, only when a file has to be instrumented in the child.
 *
 * The hooks are one global lexical binding (hooks-channel.ts) whose name the host draws at random
 * for each run (`__warmState_` and 32 hex digits): no user code names it by accident (a top-level
 * `var __warmState` is just the user's own variable), and, being a `const` of the global scope,
 * none can replace it or what it holds (its methods are read-only).
 */

const HOOKS_NAME_PREFIX = '__warmState_';
const HOOKS_NAME_PATTERN = /^__warmState_[0-9a-f]{32}$/;

/** The hooks' name made of 16 random bytes (the caller draws them: crypto is not loaded here). */
export function hooksNameFrom(randomBytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += ((randomBytes[i] ?? 0) | 0x100).toString(16).slice(1);
  return `${HOOKS_NAME_PREFIX}${hex}`;
}

/** Only a name of that form is ever put into code (it is compiled as an identifier). */
export function isHooksName(name: unknown): name is string {
  return typeof name === 'string' && HOOKS_NAME_PATTERN.test(name);
}

/** A file of a dependency (under node_modules): its functions never get handler-scope hooks. */
export function isDependencyFile(filename: string): boolean {
  return /[\\/]node_modules[\\/]/.test(filename);
}

export function isTypeScriptFile(filename: string): boolean {
  return /\.(ts|mts|cts)$/i.test(filename) && !/\.d\.(ts|mts|cts)$/i.test(filename);
}
