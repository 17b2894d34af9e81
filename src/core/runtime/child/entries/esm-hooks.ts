/**
 * `module.register()` hooks (Node >= 20.6; they run on Node's hooks thread): give the
 * handler ES module its module-scope probe, and strip TypeScript from `.ts`/`.mts` modules.
 * `.cts` (and `.ts` outside a `"type": "module"` package) are CommonJS: handed back without
 * source so that Node's CommonJS loader takes them, where the bootstrap's require hooks strip
 * the types.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { instrumentModule } from '../../instrument/instrument';
import { isDependencyFile, isHooksName, isTypeScriptFile } from '../services/runtime-globals';
import { nearestPackageType } from '../services/package-type';

interface LoadContext {
  format?: string | null;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

let handlerUrl = '';
let hooks = '';
let frames = false;
let handlerInFile = false;
let instrumentedFiles = 0;
let initProfile = false;
/** Managed Instances: the handler module reports its module-scope reads and writes (cross-talk.ts). */
let crossTalk = false;

export function initialize(data: { handlerUrl?: string; hooks?: string; frames?: boolean; handlerInFile?: boolean; initProfile?: boolean; crossTalk?: boolean } | undefined): void {
  handlerUrl = data?.handlerUrl ?? '';
  hooks = isHooksName(data?.hooks) ? data.hooks : '';
  // Without the channel's name nothing may call it: no probe, no frame hooks, no profile marks.
  if (!hooks) handlerUrl = '';
  initProfile = data?.initProfile === true && hooks !== '';
  frames = data?.frames === true && hooks !== '';
  handlerInFile = data?.handlerInFile === true;
  crossTalk = data?.crossTalk === true && hooks !== '';
}

/**
 * Handler-scope hooks (frame-instrument.ts): only in the handler's file when the host found
 * the handler written there, else in the user's own files (not dependencies).
 */
function frameKeyPrefix(url: string, path: string): string | null {
  if (!frames) return null;
  if (url !== handlerUrl && (handlerInFile || isDependencyFile(path))) return null;
  return `m${++instrumentedFiles}_`;
}
/** TypeScript convention: `import './lib.js'` names `./lib.ts` before it is compiled. */
export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? '';
    const match = /^(\.{1,2}\/.*)\.(m|c)?js$/.exec(specifier);
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && match && isTypeScriptFile(parent)) {
      return nextResolve(`${match[1]}.${match[2] ?? ''}ts`, context);
    }
    throw error;
  }
}

function formatOfTypeScript(path: string): 'module' | 'commonjs' {
  if (/\.mts$/i.test(path)) return 'module';
  if (/\.cts$/i.test(path)) return 'commonjs';
  return nearestPackageType(path) === 'module' ? 'module' : 'commonjs';
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  if (isTypeScriptFile(path)) {
    const format = formatOfTypeScript(path);
    if (format === 'commonjs') return { format: 'commonjs', shortCircuit: true };
    const source = await readFile(path, 'utf8');
    return { format: 'module', source: instrumentModule(source, path, 'module', { hooks, probe: url === handlerUrl, frameKeyPrefix: frameKeyPrefix(url, path), initProfile: initProfile && url === handlerUrl, crossTalk }).code, shortCircuit: true };
  }
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source === null || result.source === undefined) return result;
  const prefix = frameKeyPrefix(url, path);
  if (url !== handlerUrl && prefix === null) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  return { ...result, source: instrumentModule(source, path, 'module', { hooks, probe: url === handlerUrl, frameKeyPrefix: prefix, initProfile: initProfile && url === handlerUrl, crossTalk }).code };
}
