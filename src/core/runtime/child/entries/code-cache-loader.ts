/**
 * The child's entry (dist/child/bootstrap.js): loads the real runtime bundle
 * (dist/child/runtime.js, built from bootstrap.ts) with V8's code cache, so a cold start does
 * not parse and compile the ~115 KB bundle (and the functions the first invocation runs) from
 * scratch. Node 20 has no `module.enableCompileCache` (22.1+): where it exists it
 * is used (its cache in a folder inside ours) and the bundle is required normally.
 *
 * The cache is one file per (bundle, node, flags) in a folder of the current user
 * (`<tmpdir>/warm-state-v8-cache-<uid>`, mode 0700, used only when owned by this user and not
 * writable by others: cached data is code). It is written once, by the runtime, right before
 * its first result, so it holds the functions that first invocation compiled; a cache V8
 * rejects (other flags, other build) is rewritten the same way. Any failure falls back to
 * compiling from source: the cache only ever saves time. Writing a cache prunes the folder to
 * its newest few files (each build, node version and memory size has one of its own).
 *
 * The bundle runs under the file name runtime.js (stack traces, `hideRuntimeFrames`), with a
 * `require` of that file; its dynamic `import()` of ES module handlers goes through
 * `RUNTIME_IMPORT_KEY`, because code compiled by `vm.Script` has no module loader of its own.
 */
import * as fs from 'node:fs';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { RUNTIME_IMPORT_KEY, SAVE_CODE_CACHE_KEY } from '../services/code-cache-keys';
import { fnv1a } from '../../instrument/fnv1a';

const runtimeFile = join(__dirname, 'runtime.js');
// The cache is written after user code has loaded: with these, saved now, never with what user
// code may have put in their place (they write code that later cold starts run). Not
// writeFileSync: it calls fs.openSync and fs.writeSync through the module's exports.
const { chmodSync, closeSync, openSync, renameSync, unlinkSync, writeSync } = fs;
const createCachedData = Script.prototype.createCachedData;
const apply = Reflect.apply;
const defineProperty = Reflect.defineProperty;
const bufferLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'length')?.get as () => number;

/**
 * Cache files kept in the folder. Each build of the runtime, node version and set of flags
 * (the memory size is one) has a file of its own, and nothing else ever removes them: when a
 * new one is written, all but the newest this many go. One that is still in use elsewhere is
 * written again by its next cold start.
 */
const KEPT_CACHE_FILES = 16;
/** A partial write this old was left by a process that died while writing. */
const STALE_PARTIAL_MS = 10 * 60 * 1000;

/** Writes all of `data` to a new file only this user can read. */
function writeNewFile(file: string, data: Buffer): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    const length = apply(bufferLength, data, []) as number;
    // fs.writeSync reads `byteLength`: an own property answers without the (replaceable) prototype.
    defineProperty(data, 'byteLength', { __proto__: null, value: length } as PropertyDescriptor);
    for (let offset = 0; offset < length; ) offset += writeSync(fd, data, offset, length - offset);
  } finally {
    closeSync(fd);
  }
}
const globals = globalThis as Record<symbol, unknown>;
globals[Symbol.for(RUNTIME_IMPORT_KEY)] = (specifier: string): Promise<unknown> => import(specifier);

/**
 * The files to remove once `keep` is written: every cache file but the KEPT_CACHE_FILES - 1
 * newest others, and partial writes left by a process that died. Chosen before user code loads
 * (so nothing it may have replaced decides), removed after the new cache is in place.
 */
function outdatedCacheFiles(folder: string, keep: string): string[] {
  const now = Date.now();
  const caches: { file: string; modified: number }[] = [];
  const outdated: string[] = [];
  for (const name of readdirSync(folder)) {
    const file = join(folder, name);
    if (!name.startsWith('runtime-') || file === keep) continue;
    let modified: number;
    try {
      modified = statSync(file).mtimeMs;
    } catch {
      continue; // gone meanwhile
    }
    if (name.endsWith('.bin')) caches.push({ file, modified });
    else if (name.endsWith('.tmp') && now - modified > STALE_PARTIAL_MS) outdated.push(file);
  }
  caches.sort((a, b) => b.modified - a.modified);
  for (const { file } of caches.slice(KEPT_CACHE_FILES - 1)) outdated.push(file);
  return outdated;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or not ours to remove
  }
}

/**
 * os.tmpdir() as Node computes it on POSIX, without node:os: like every built-in beyond the
 * start-up snapshot it compiles from source in this child (V8 flags), about 0.6 ms of each cold
 * start for one path. Windows asks node:os.
 */
function temporaryFolder(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (process.platform === 'win32') return (require('node:os') as typeof import('node:os')).tmpdir();
  const path = process.env.TMPDIR || process.env.TMP || process.env.TEMP || '/tmp';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The user's own cache folder, or null when it cannot be trusted or made. */
function cacheFolder(): string | null {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const folder = join(temporaryFolder(), `warm-state-v8-cache${uid === null ? '' : `-${uid}`}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = statSync(folder);
    if (!stat.isDirectory()) return null;
    // Someone else's folder (or one others may write to) could hold planted code.
    if (uid !== null && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return null;
    return folder;
  } catch {
    return null;
  }
}

function loadWithCodeCache(): void {
  const source = readFileSync(runtimeFile, 'utf8');
  const stat = statSync(runtimeFile);
  const key = fnv1a([process.version, process.arch, process.execArgv.join(' '), stat.size, stat.mtimeMs, source.length].join('\n'));
  const folder = cacheFolder();
  const cacheFile = folder ? join(folder, `runtime-${process.version}-${key}.bin`) : null;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new Script(nodeModule.wrap(source), { filename: runtimeFile, cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    let outdated: string[] = [];
    try {
      outdated = outdatedCacheFiles(folder as string, cacheFile);
    } catch {
      // the folder cannot be listed: nothing is pruned
    }
    // Called by the runtime once, before its first result: by then the functions a cold start
    // needs (loading, instrumenting, arming, capturing) have been compiled and are included.
    let saved = false;
    globals[Symbol.for(SAVE_CODE_CACHE_KEY)] = (): void => {
      if (saved) return;
      saved = true;
      const partial = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeNewFile(partial, apply(createCachedData, script, []) as Buffer);
        chmodSync(partial, 0o600);
        renameSync(partial, cacheFile);
      } catch {
        removeQuietly(partial);
        return;
      }
      // An array of our own, indexed: nothing user code put on Array.prototype is asked.
      for (let i = 0; i < outdated.length; i++) removeQuietly(outdated[i]);
    };
  }
  const compiled = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const runtimeModule = { exports: {}, filename: runtimeFile, id: runtimeFile };
  compiled.call(runtimeModule.exports, runtimeModule.exports, nodeModule.createRequire(runtimeFile), runtimeModule, runtimeFile, __dirname);
}

const enableCompileCache = (nodeModule as { enableCompileCache?: (directory: string) => unknown }).enableCompileCache;
if (typeof enableCompileCache === 'function') {
  // A folder of ours: Node's default one is found through node:os (see temporaryFolder), and
  // is shared by every user of the machine.
  const folder = cacheFolder();
  try {
    if (folder) enableCompileCache(join(folder, 'node-compile-cache'));
  } catch {
    // no cache: plain compile
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(runtimeFile);
} else {
  loadWithCodeCache();
}
