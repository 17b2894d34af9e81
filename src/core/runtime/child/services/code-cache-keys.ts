/** Global slots shared by the child's loader (code-cache-loader.ts) and the runtime bundle. */

/** `(specifier) => Promise<module>`: an `import()` the runtime can use under `vm.Script`. */
export const RUNTIME_IMPORT_KEY = 'warm-state.runtime-import';
/** `() => void`, present when the runtime's code cache should be written (once). */
export const SAVE_CODE_CACHE_KEY = 'warm-state.save-code-cache';
