/**
 * Which file the handler module is, and whether it is loaded with require() or import(),
 * exactly as each runtime interface client decides (docs/runtime-profiles.md, "Module
 * resolution and extension precedence"), plus Warm State's addition: TypeScript sources
 * (`.ts`, `.mts`, `.cts`) after the client's own extensions. Also how each client walks the
 * export path. Everything here runs during init, before the handler module loads: the plan is
 * made with the file system as it is then.
 *
 * 3.x: `_tryRequire`, `_tryRequireFile`, `_tryAwaitImport`, `_hasFolderPackageJsonTypeModule`,
 * `_resolveHandler` in `src/UserFunction.js`. 4.x: `loadModule` (dist/function/module-loader.js),
 * `tryAwaitImport` (dist/function/dynamic-imports.js), `resolveHandler`/`findIn`
 * (dist/function/handler-resolver.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { HandlerSetting } from '../../../lambda/handler-setting';
import { nearestPackageType } from './package-type';

export type ClientGeneration = 3 | 4;
export type LoadVia = 'require' | 'import';

export interface LoadStep {
  file: string;
  via: LoadVia;
}

export interface ModuleLoadPlan {
  /** Files that exist, in the client's order: each is loaded until one gives truthy exports. */
  steps: LoadStep[];
  /** Last resort of both clients: `require(require.resolve(moduleName, {paths}))` (a package in node_modules, a folder). */
  fallback: { moduleName: string; paths: string[] } | null;
}

/** How the 3.x client reports a package.json it cannot parse (a `console.warn`, then CommonJS). */
export type PackageWarning = (text: string, error: unknown) => void;

/**
 * The 3.x client's own package type walk (not Node's): a folder ending in `/node_modules`
 * stops it (CommonJS), the first package.json that parses decides, one that does not parse is
 * reported and counts as CommonJS, `null` inside one is skipped.
 */
export function clientThreeTypeIsModule(folder: string, warn: PackageWarning): boolean {
  for (;;) {
    // The client's test is `endsWith('/node_modules')` (Lambda is POSIX); Windows paths end with `\\node_modules`.
    if (folder.endsWith(`${sep}node_modules`) || folder.endsWith('/node_modules')) return false;
    const packageJson = join(folder, '/package.json');
    if (existsSync(packageJson)) {
      try {
        const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: unknown } | null;
        if (parsed) return parsed.type === 'module';
      } catch (error) {
        warn(`${packageJson} cannot be read, it will be ignored for ES module detection purposes.`, error);
        return false;
      }
    }
    if (folder === '/') return false;
    const parent = resolve(folder, '..');
    // A root that is not `/` (Windows drive): the walk ends there too.
    if (parent === folder) return false;
    folder = parent;
  }
}

/** Warm State's addition: TypeScript sources, loaded by their own rules (.mts import, .cts require, .ts by package type). */
function typeScriptSteps(client: ClientGeneration, base: string): LoadStep[] {
  const steps: LoadStep[] = [];
  for (const extension of ['.ts', '.mts', '.cts']) {
    const file = base + extension;
    if (existsSync(file)) steps.push({ file, via: client === 4 ? 'import' : typeScriptVia(file) });
  }
  return steps;
}

function typeScriptVia(file: string): LoadVia {
  const extension = extname(file).toLowerCase();
  if (extension === '.mts') return 'import';
  if (extension === '.cts') return 'require';
  return nearestPackageType(file) === 'module' ? 'import' : 'require';
}

/** The module a Handler setting names, under `taskRoot`, as the client looks for it. */
export function planModuleLoad(client: ClientGeneration, taskRoot: string, setting: HandlerSetting, warn: PackageWarning): ModuleLoadPlan {
  const base = resolve(taskRoot, setting.moduleRoot, setting.moduleName);
  const steps: LoadStep[] = [];
  const add = (file: string, via: LoadVia): void => {
    if (existsSync(file)) steps.push({ file, via });
  };
  if (client === 4) {
    // Every candidate through import(), CommonJS included (Node's ESM loader wraps it).
    for (const extension of ['', '.js', '.mjs', '.cjs']) add(base + extension, 'import');
  } else {
    // The path itself (a folder too: require loads its index.js).
    add(base, 'require');
    const typeModule = existsSync(`${base}.js`) && clientThreeTypeIsModule(dirname(`${base}.js`), warn);
    add(`${base}.js`, typeModule ? 'import' : 'require');
    add(`${base}.mjs`, 'import');
    add(`${base}.cjs`, 'require');
  }
  steps.push(...typeScriptSteps(client, base));
  const moduleRootPath = client === 4 ? join(taskRoot, setting.moduleRoot) : setting.moduleRoot;
  return { steps, fallback: { moduleName: setting.moduleName, paths: [taskRoot, moduleRootPath] } };
}

/**
 * A handler file named directly (`warm-state invoke FILE`): no name to look up, the file is
 * loaded as the client would load it had it found it: 4.x with import(), 3.x with require()
 * except `.mjs` and a `.js` its package type walk calls a module.
 */
export function planFileLoad(client: ClientGeneration, file: string, warn: PackageWarning): ModuleLoadPlan {
  const extension = extname(file).toLowerCase();
  let via: LoadVia;
  if (client === 4) via = 'import';
  else if (extension === '.mjs') via = 'import';
  else if (extension === '.js') via = clientThreeTypeIsModule(dirname(file), warn) ? 'import' : 'require';
  else if (['.ts', '.mts', '.cts'].includes(extension)) via = typeScriptVia(file);
  else via = 'require';
  return { steps: [{ file, via }], fallback: null };
}

/**
 * How one side loads a plan's files: a require made for the runtime's `index.mjs` (its
 * MODULE_NOT_FOUND require stack then names that file, as the clients' does), and an import().
 * The local child and the deployed probe each hook them their own way.
 */
export interface PlanLoaders {
  require: NodeJS.Require;
  import(file: string): Promise<unknown>;
}

/**
 * The file that becomes the handler module (the one the capture hooks instrument): the first
 * step's file (a folder loaded by require: the file require picks in it), else what the last
 * resort resolves to, which throws the clients' MODULE_NOT_FOUND when nothing does.
 */
export function plannedHandlerFile(plan: ModuleLoadPlan, runtimeRequire: NodeJS.Require): string | null {
  const first = plan.steps[0];
  if (first) return first.via === 'require' ? requireTarget(runtimeRequire, first.file) : first.file;
  return plan.fallback ? runtimeRequire.resolve(plan.fallback.moduleName, { paths: plan.fallback.paths }) : null;
}

/** A module's exports, boxed: exports that are a thenable must not be adopted by the async loader. */
export interface LoadedModule {
  exports: unknown;
}

/**
 * Loads a plan as the clients do: each file in turn until one gives truthy exports (3.x moves on
 * when `module.exports` is falsy; a namespace never is), then the last resort,
 * `require(require.resolve(moduleName, {paths}))`. Undefined exports when the plan has neither.
 */
export async function loadPlannedModule(plan: ModuleLoadPlan, loaders: PlanLoaders): Promise<LoadedModule> {
  for (const step of plan.steps) {
    const exports = step.via === 'require' ? loaders.require(step.file) : await loaders.import(step.file);
    if (exports) return { __proto__: null, exports } as LoadedModule;
  }
  const exports = plan.fallback ? loaders.require(loaders.require.resolve(plan.fallback.moduleName, { paths: plan.fallback.paths })) : undefined;
  return { __proto__: null, exports } as LoadedModule;
}

/** The file require() loads for a path (a folder: its index.js), or the path when it cannot tell. */
function requireTarget(runtimeRequire: NodeJS.Require, path: string): string {
  try {
    return runtimeRequire.resolve(path);
  } catch {
    return path;
  }
}

/**
 * The value the export path names. 3.x walks through any truthy value (`o && o[k]`); 4.x only
 * through objects, and tries the whole path again under `default` when the module has one.
 */
export function findHandler(client: ClientGeneration, moduleExports: unknown, exportPath: readonly string[]): unknown {
  if (client === 3) return walk(moduleExports, exportPath, (value) => Boolean(value));
  const objectsOnly = (value: unknown): boolean => Boolean(value) && typeof value === 'object';
  const found = walk(moduleExports, exportPath, objectsOnly);
  if (found || typeof moduleExports !== 'object' || moduleExports === null || !('default' in moduleExports)) return found;
  return walk((moduleExports as { default: unknown }).default, exportPath, objectsOnly);
}

function walk(start: unknown, exportPath: readonly string[], canEnter: (value: unknown) => boolean): unknown {
  let value = start;
  for (let i = 0; i < exportPath.length; i++) {
    value = canEnter(value) ? (value as Record<string, unknown>)[exportPath[i] as string] : undefined;
  }
  return value;
}
