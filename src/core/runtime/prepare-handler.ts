/**
 * What the host works out about the handler file while the child boots (spawning node takes
 * tens of milliseconds on its own core):
 *
 * - Whether the handler is a function written in this file (the common case, found by the
 *   same detector as the CodeLens): then only this file's functions get handler-scope hooks
 *   and no other file is instrumented. Otherwise (a wrapped handler, a
 *   re-export, an export the detector cannot follow) every function of the user's files gets
 *   hooks and the runtime recognises the handler's frame as the first to receive the event.
 * - The handler file itself, instrumented, for plain CommonJS JavaScript (with the init
 *   profile's marks when asked): the child uses it only if the file it loads has the same
 *   length and hash, and instruments it itself otherwise (TypeScript needs sucrase, ES modules
 *   are instrumented on Node's hooks thread). The child then never loads the instrumenter.
 *
 * Both take parses of the file (acorn, sucrase for TypeScript): a few milliseconds of the host's
 * CPU at every cold start, while the child boots on the same (often two) cores. The last
 * answers are kept by file, options and exact source, so a cold start of an unchanged file (a
 * reset, Invoke Cold, the endpoint's scale-out) reuses them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { detectHandlers } from '../handlers/detect';
import { fnv1a } from './instrument/fnv1a';
import { MAX_FRAMED_FILE_CHARS } from './instrument/frame-instrument';
import { instrumentModule } from './instrument/instrument';
import type { ModuleLoadFormat, PreparedHandler } from './protocol';
import { hooksNameFrom } from './child/services/runtime-globals';

/**
 * The hooks channel's name for every child this host starts (sent in `init`): drawn once per host
 * process, so that an environment's reset compiles the same instrumented code as before.
 */
export const HOST_HOOKS_NAME = hooksNameFrom(randomBytes(16));

/** Key prefix of the functions hooked by the host (the child numbers its own files `c1_`, ...). */
const HOST_KEY_PREFIX = 'h_';

export interface HandlerPreparation {
  handlerInFile: boolean;
  prepared: PreparedHandler | null;
}

/**
 * Whether `handlerExport` is a function written in this file. Only used to leave the user's
 * other files alone: every function of the handler file gets hooks whatever the detector
 * says, so a function it misjudges (a reassigned binding, an export inside an `if`) is still
 * captured.
 */
export function handlerDefinedIn(source: string, file: string, handlerExport: string): boolean {
  const candidate = detectHandlers(source, file).find((c) => c.exportName === handlerExport);
  return candidate !== undefined && candidate.shape !== 'unknown' && candidate.definition !== undefined;
}

/** How many preparations are kept (each holds its source and instrumented code). */
const KEPT_PREPARATIONS = 16;
/** Sources above this are prepared again each time rather than kept. */
const MAX_KEPT_SOURCE_CHARS = 256 * 1024;
/** The last preparations by file and options, most recently used last, with the exact source each was made from. */
const keptPreparations = new Map<string, { source: string; preparation: HandlerPreparation }>();

/**
 * `crossTalk`: Managed Instances, where the handler module also reports its module-scope reads
 * and writes. `initProfile`: the handler module's top-level statements are timed (init-profile.ts).
 */
export function prepareHandler(file: string, format: ModuleLoadFormat, capture: boolean, handlerExport: string, crossTalk = false, initProfile = false): HandlerPreparation {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    // Missing or unreadable: the child reports it the way Lambda would.
    return { handlerInFile: false, prepared: null };
  }
  // A huge file would hold the host (the editor's extension host) for long: the child does it.
  if (source.length > MAX_FRAMED_FILE_CHARS) return { handlerInFile: false, prepared: null };
  const key = JSON.stringify([file, format, capture, handlerExport, crossTalk, initProfile]);
  const kept = keptPreparations.get(key);
  keptPreparations.delete(key);
  if (kept && kept.source === source) {
    keptPreparations.set(key, kept);
    return kept.preparation;
  }
  const preparation = prepareSource(source, file, format, capture, handlerExport, crossTalk, initProfile);
  if (source.length <= MAX_KEPT_SOURCE_CHARS) {
    keptPreparations.set(key, { source, preparation });
    if (keptPreparations.size > KEPT_PREPARATIONS) keptPreparations.delete(keptPreparations.keys().next().value as string);
  }
  return preparation;
}

function prepareSource(source: string, file: string, format: ModuleLoadFormat, capture: boolean, handlerExport: string, crossTalk: boolean, initProfile: boolean): HandlerPreparation {
  const handlerInFile = capture && handlerDefinedIn(source, file, handlerExport);
  if (format !== 'commonjs' || !['.js', '.cjs'].includes(extname(file).toLowerCase())) return { handlerInFile, prepared: null };
  const { code } = instrumentModule(source, file, 'commonjs', { hooks: HOST_HOOKS_NAME, probe: true, frameKeyPrefix: capture ? HOST_KEY_PREFIX : null, crossTalk: capture && crossTalk, initProfile });
  return { handlerInFile, prepared: { sourceLength: source.length, sourceHash: fnv1a(source), code } };
}
