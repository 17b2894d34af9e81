/**
 * dist/child/index.mjs: the `import()` the child loads handler modules with. Named as Lambda's
 * runtime interface client bundle is (/var/runtime/index.mjs), so that an error Node raises about
 * the import itself names the same importer as on Lambda ("Directory import '/var/task/x' is not
 * supported resolving ES modules imported from .../index.mjs"); the require the child uses for
 * the clients' last-resort resolve names the same file (bootstrap.ts).
 */
export function importModule(url: string): Promise<unknown> {
  return import(url);
}
