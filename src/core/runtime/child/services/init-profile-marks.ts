/**
 * Receives the init-profile marks of the handler module (instrument/init-profile.ts) and turns
 * them into time per top-level statement. Installed only for a profiled cold start, removed
 * once the module has loaded.
 */
import type { InitProfileEntry, InitProfileLabel } from '../../../model/snapshot';
import { INIT_PROFILE_GLOBAL } from './runtime-globals';
import { nowMs } from './clock';

const defineProperty = Object.defineProperty;

export interface InitProfileRecorder {
  /** Entries slowest first; null when the module did not run to its end. */
  finish(): InitProfileEntry[] | null;
}

export function installInitProfile(): InitProfileRecorder {
  const marks: number[] = [];
  let labels: InitProfileLabel[] | null = null;
  defineProperty(globalThis, INIT_PROFILE_GLOBAL, {
    configurable: true,
    enumerable: false,
    value: {
      mark(index: number) {
        marks[index] = nowMs();
      },
      end(index: number, names: InitProfileLabel[]) {
        marks[index] = nowMs();
        labels = names;
      },
    },
  });
  return {
    finish() {
      delete (globalThis as Record<string, unknown>)[INIT_PROFILE_GLOBAL];
      const named = labels as InitProfileLabel[] | null;
      if (!named) return null;
      const entries: InitProfileEntry[] = [];
      for (let index = 0; index < named.length; index++) {
        const start = marks[index];
        const end = marks[index + 1];
        if (start === undefined || end === undefined) continue;
        entries.push({ ...named[index], ms: end - start });
      }
      return entries.sort((a, b) => b.ms - a.ms);
    },
  };
}
