// Measures what activating the extension costs: require() of a bundle plus activate(), in a
// fresh process, with a stand-in `vscode` module (no editor is needed, so the figure is the
// extension's own cost, not the editor's). Prints one JSON line.
// Usage: node scripts/measure-activation.cjs <bundle.js>
'use strict';
const Module = require('node:module');
const path = require('node:path');

/** A `vscode` stand-in: every property is a callable stub, so any API shape works. */
function stub(name) {
  const fn = function () { return stub(`${name}()`); };
  return new Proxy(fn, {
    get(_target, prop) {
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === 'then') return undefined; // not a thenable
      if (prop === 'dispose') return () => undefined;
      if (prop === 'isTrusted') return true;
      if (prop === 'workspaceFolders') return [];
      if (prop === 'activeTextEditor') return undefined;
      if (prop === 'scheme') return 'file';
      return stub(`${name}.${String(prop)}`);
    },
    construct() { return stub(`new ${name}`); },
    set() { return true; },
    defineProperty() { return true; },
  });
}
// Own enumerable keys: the bundle's namespace import copies the module's own properties.
const vscode = {};
vscode.ExtensionMode = { Production: 1, Development: 2, Test: 3 };
for (const key of ['window', 'workspace', 'commands', 'languages', 'extensions', 'env', 'EventEmitter', 'Uri', 'Range', 'Position', 'Selection', 'CodeLens', 'StatusBarAlignment', 'ViewColumn', 'ProgressLocation', 'QuickPickItemKind', 'MarkdownString', 'ThemeColor', 'ThemeIcon', 'Disposable', 'l10n']) {
  vscode[key] = stub(`vscode.${key}`);
}
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  return request === 'vscode' ? vscode : originalLoad.call(this, request, parent, isMain);
};

const file = path.resolve(process.argv[2] || 'dist/extension.js');
const started = process.hrtime.bigint();
const extension = require(file);
const loaded = process.hrtime.bigint();
const context = { extensionMode: 1 /* Production */, subscriptions: [], extensionUri: stub('extensionUri'), extensionPath: path.dirname(file), workspaceState: stub('workspaceState'), globalState: stub('globalState'), storageUri: undefined, globalStorageUri: stub('globalStorageUri') };
extension.activate(context);
const activated = process.hrtime.bigint();
const ms = (from, to) => Number(to - from) / 1e6;
console.log(JSON.stringify({ requireMs: ms(started, loaded), activateMs: ms(loaded, activated), totalMs: ms(started, activated), subscriptions: context.subscriptions.length }));
process.exit(0);
