/**
 * Where the configuration a function had before the probe was attached is kept, so that
 * detaching restores it exactly. Decision: a local JSON file per function
 * (~/.warm-state/probes/<region>/<function>.json, or under WARM_STATE_HOME), not a function
 * tag: tags hold 256 characters, far too little for a function's variables, and writing the
 * previous variables into the cloud would copy secrets into one more place. The cost: detach
 * must run on the machine that attached (elsewhere it falls back to removing only what the
 * probe added, and says so).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SavedConfiguration {
  functionArn: string;
  region: string;
  savedAt: string;
  /** Layer version ARNs before the probe, in order. */
  layers: string[];
  /** Environment variables before the probe, exactly; null when the function had none. */
  variables: Record<string, string> | null;
  /** The probe layer version that was added. */
  probeLayerArn: string;
  /** RevisionId right after the attach: a different one at detach means someone changed the function since. */
  revisionAfterAttach: string | null;
}

export class ProbeStateStore {
  constructor(readonly root: string = defaultStateRoot()) {}

  fileFor(region: string, functionName: string): string {
    const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
    return join(this.root, 'probes', safe(region), `${safe(functionName)}.json`);
  }

  load(region: string, functionName: string): SavedConfiguration | null {
    try {
      return JSON.parse(readFileSync(this.fileFor(region, functionName), 'utf8')) as SavedConfiguration;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Written atomically and readable by the user only (it may hold variable values). */
  save(region: string, functionName: string, saved: SavedConfiguration): string {
    const file = this.fileFor(region, functionName);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
    return file;
  }

  remove(region: string, functionName: string): void {
    rmSync(this.fileFor(region, functionName), { force: true });
  }
}

export function defaultStateRoot(): string {
  return process.env.WARM_STATE_HOME ?? join(homedir(), '.warm-state');
}
