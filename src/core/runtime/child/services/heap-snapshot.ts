/**
 * Writes a heap snapshot of the child for retained-size measurement (runtime/heap/). Runs only
 * between invocations, on the host's request: V8 pauses the whole process while it writes.
 * The snapshot goes to a file the host names, never over the message pipe, and the module's
 * context is marked by an anchor: an object holding the module-scope probe (a closure of the
 * handler module) under a one-off property name that the analysis looks for.
 */
// node:v8 and node:os are loaded on the first measurement, not on every cold start.
type V8Module = typeof import('node:v8');
type OsModule = typeof import('node:os');
type FsModule = typeof import('node:fs');

import type { ModuleBinding } from '../../instrument/instrument';
import type { ModuleReader } from './module-scope';
import { append, itemAt, messageOf, nowMs, processMemory } from './intrinsics';

export type HeapSnapshotOutcome = { ok: true; anchorKey: string; durationMs: number; bindings: Array<{ name: string; variable: string }> } | { ok: false; reason: string };

/**
 * Writing a snapshot builds V8's graph of the heap in native memory first: about as large as
 * the heap itself, sometimes twice. Refused (with the reason) when that, or the file, would not
 * fit: a measurement must never be what kills the environment.
 */
const GRAPH_BYTES_PER_HEAP_BYTE = 2;
const FILE_BYTES_PER_HEAP_BYTE = 3;

export function writeModuleHeapSnapshot(
  probe: ModuleReader | null,
  moduleBindings: readonly ModuleBinding[],
  file: string,
  directory: string,
  anchorKey: string,
): HeapSnapshotOutcome {
  if (!probe) return { ok: false, reason: 'the handler module has no module-scope probe (see the record’s capture notes)' };
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { writeHeapSnapshot } = require('node:v8') as V8Module;
  const { freemem } = require('node:os') as OsModule;
  const { statfsSync } = require('node:fs') as FsModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const heapUsed = processMemory().heapUsed;
  const neededMemory = heapUsed * GRAPH_BYTES_PER_HEAP_BYTE;
  if (freemem() < neededMemory) {
    return { ok: false, reason: `the machine has ${mb(freemem())} free and a snapshot of this ${mb(heapUsed)} heap needs about ${mb(neededMemory)}` };
  }
  try {
    const disk = statfsSync(directory);
    const free = disk.bavail * disk.bsize;
    if (free < heapUsed * FILE_BYTES_PER_HEAP_BYTE) return { ok: false, reason: `${directory} has ${mb(free)} free and the snapshot needs about ${mb(heapUsed * FILE_BYTES_PER_HEAP_BYTE)}` };
  } catch {
    // statfs is missing on some platforms: the write itself reports a full disk.
  }
  // Held by this frame while V8 writes: the anchor is on the stack, so in the snapshot.
  const anchor: Record<string, unknown> = { [anchorKey]: probe };
  const started = nowMs();
  try {
    writeHeapSnapshot(file);
  } catch (error) {
    return { ok: false, reason: `the snapshot could not be written: ${messageOf(error)}` };
  }
  const durationMs = nowMs() - started;
  if (!anchor[anchorKey]) return { ok: false, reason: 'the anchor was lost' };
  // A rewritten import (`_mod.x`) is a property of another module's exports, not a binding of this one.
  const bindings: Array<{ name: string; variable: string }> = [];
  for (let index = 0; index < moduleBindings.length; index++) {
    const binding = itemAt(moduleBindings, index) as ModuleBinding;
    if (binding.property === undefined) append(bindings, { name: binding.name, variable: binding.binding });
  }
  return { ok: true, anchorKey, durationMs, bindings };
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MB`;
}
