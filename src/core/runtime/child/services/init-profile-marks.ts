/**
 * Receives the init-profile marks of the handler module (instrument/init-profile.ts) through the
 * hooks channel (`profileMark`, `profileEnd`) and turns them into time per top-level statement.
 * Records only between start() and finish(), on a profiled cold start.
 *
 * The marks arrive while the module's code runs and finish() right after it: only built-ins
 * saved before user code (intrinsics.ts), so a module that replaced them is timed all the same.
 */
import type { InitProfileEntry } from '../../../model/snapshot';
import { append, isArray, isProxy, itemAt, nowMs, objectCreate, ownValue } from './intrinsics';

export interface InitProfile {
  start(): void;
  /** What the channel's `profileMark(index)` calls. */
  mark(index: unknown): void;
  /** What the channel's `profileEnd(index, labels)` calls, after the module's last statement. */
  end(index: unknown, labels: unknown): void;
  /** Entries slowest first; null when the module did not run to its end. */
  finish(): InitProfileEntry[] | null;
}

export function createInitProfile(): InitProfile {
  let recording = false;
  /** Time at each mark, by index: a null-prototype table (no inherited index setter). */
  let marks = objectCreate(null) as Record<number, number>;
  let labels: unknown = null;
  const at = (index: unknown): void => {
    if (recording && typeof index === 'number') marks[index] = nowMs();
  };
  return {
    start() {
      recording = true;
      marks = objectCreate(null) as Record<number, number>;
      labels = null;
    },
    mark: at,
    end(index, names) {
      at(index);
      if (recording) labels = names;
    },
    finish() {
      recording = false;
      if (!isArray(labels) || isProxy(labels)) return null;
      const named = labels as unknown[];
      const entries: InitProfileEntry[] = [];
      for (let index = 0; index < named.length; index++) {
        const start = marks[index];
        const end = marks[index + 1];
        const label = itemAt(named, index);
        const what = ownValue(label, 'what');
        const line = ownValue(label, 'line');
        if (start === undefined || end === undefined || typeof what !== 'string' || typeof line !== 'number') continue;
        insertByTime(entries, { what, line, ms: end - start });
      }
      return entries;
    },
  };
}

/** Keeps `entries` slowest first (no Array.prototype.sort: user code may have replaced it). */
function insertByTime(entries: InitProfileEntry[], entry: InitProfileEntry): void {
  append(entries, entry);
  let index = entries.length - 1;
  while (index > 0 && (itemAt(entries, index - 1) as InitProfileEntry).ms < entry.ms) {
    entries[index] = itemAt(entries, index - 1) as InitProfileEntry;
    index--;
  }
  entries[index] = entry;
}
