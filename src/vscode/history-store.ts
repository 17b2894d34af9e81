/**
 * Keeps each handler's history across window reloads: the extension host restarts on a
 * reload (and every child process with it), but the restored panel should still show
 * what ran before. Files in the extension's workspace storage, written a moment after the
 * last change.
 *
 * One folder per handler, one file per record (named by its invocation number): a save writes
 * only the records that are new or changed and deletes those that left the history, so a record
 * that cannot be written (too big to serialize, a full disk) costs that record alone, never the
 * others or a later save. The store keeps everything it is given: the session bounds the history
 * (`warmState.historyLength`), and that many come back after a reload.
 *
 * What is read back is validated like any untrusted input. A file that fails is moved aside
 * (`N.json.corrupt`, kept for the user) and reported: a log line and a visible warning.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationRecord } from '../core/model/snapshot';
import { isInvocationRecord } from '../webview-protocol/panel';
import { handlerKey, type HandlerRef } from './handler-key';

const WRITE_DELAY_MS = 1000;
const FORMAT_VERSION = 2;
/** Names the handler a folder belongs to (its name is only a hash of the key). */
const HANDLER_FILE = 'handler.json';
const RECORD_FILE = /^(\d+)\.json$/;

export interface HistoryStore {
  load(ref: HandlerRef): InvocationRecord[];
  save(ref: HandlerRef, records: readonly InvocationRecord[]): void;
  flush(): Promise<void>;
}

/** No storage (no workspace folder, remote storage): history lives as long as the host. */
export const MEMORY_ONLY_HISTORY: HistoryStore = {
  load: () => [],
  save: () => undefined,
  flush: async () => undefined,
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FileHistoryStore implements HistoryStore {
  private readonly pending = new Map<string, { ref: HandlerRef; records: readonly InvocationRecord[] }>();
  /** Per handler key: the record object each file on disk holds (by invocation number). */
  private readonly onDisk = new Map<string, Map<number, InvocationRecord | null>>();
  /** Handler keys whose folder has its handler file written by this store. */
  private readonly described = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  /**
   * `log` gets every problem; `warnUser` also gets those the user should see (saved history
   * that could not be read back).
   */
  constructor(
    private readonly folder: string,
    private readonly log: (message: string) => void,
    private readonly warnUser: (message: string) => void = () => undefined,
  ) {}

  private folderFor(ref: HandlerRef): string {
    return join(this.folder, createHash('sha256').update(handlerKey(ref)).digest('hex').slice(0, 32));
  }

  load(ref: HandlerRef): InvocationRecord[] {
    const key = handlerKey(ref);
    const dir = this.folderFor(ref);
    const onDisk = new Map<number, InvocationRecord | null>();
    this.onDisk.set(key, onDisk);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    // A folder of another handler (a hash collision, a hand-made folder) is not read, only replaced.
    const numbers = names.flatMap((name) => RECORD_FILE.exec(name)?.[1] ?? []).map(Number);
    if (!this.belongsTo(dir, key)) {
      for (const n of numbers) onDisk.set(n, null);
      return [];
    }
    const records: InvocationRecord[] = [];
    const unreadable: string[] = [];
    for (const n of numbers.sort((a, b) => a - b)) {
      const file = join(dir, `${n}.json`);
      try {
        const record: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (!isInvocationRecord(record) || record.invocation !== n) throw new Error('not an invocation record');
        records.push(record);
        onDisk.set(n, record);
      } catch (error) {
        unreadable.push(`${file} (${messageOf(error)})`);
        this.keepAside(file);
      }
    }
    if (unreadable.length > 0) {
      const message = `Warm State could not read ${unreadable.length} saved invocation(s) of ${ref.exportName}; the files are kept as *.corrupt: ${unreadable.join('; ')}`;
      this.log(message);
      this.warnUser(message);
    }
    return records;
  }

  save(ref: HandlerRef, records: readonly InvocationRecord[]): void {
    this.pending.set(handlerKey(ref), { ref, records: records.slice() });
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.writing = this.writing.then(async () => {
      for (const { ref, records } of batch) await this.write(ref, records);
    });
    await this.writing;
  }

  /** Brings the handler's folder in line with `records`: new and changed files written, gone ones deleted. */
  private async write(ref: HandlerRef, records: readonly InvocationRecord[]): Promise<void> {
    const key = handlerKey(ref);
    const dir = this.folderFor(ref);
    let onDisk = this.onDisk.get(key);
    if (!onDisk) {
      // Never loaded in this host: learn what is there so that stale files go.
      this.load(ref);
      onDisk = this.onDisk.get(key) as Map<number, InvocationRecord | null>;
    }
    try {
      await mkdir(dir, { recursive: true });
      if (!this.described.has(key)) {
        await this.replace(join(dir, HANDLER_FILE), JSON.stringify({ version: FORMAT_VERSION, key }));
        this.described.add(key);
      }
    } catch (error) {
      this.log(`Could not save the invocation history of ${ref.exportName}: ${messageOf(error)}`);
      return;
    }
    const kept = new Set<number>();
    for (const record of records) {
      kept.add(record.invocation);
      if (onDisk.get(record.invocation) === record) continue;
      try {
        await this.replace(join(dir, `${record.invocation}.json`), JSON.stringify(record));
        onDisk.set(record.invocation, record);
      } catch (error) {
        // This record alone is lost (e.g. "Invalid string length"); the others are saved.
        this.log(`Could not save invocation ${record.invocation} of ${ref.exportName}: ${messageOf(error)}`);
      }
    }
    for (const n of [...onDisk.keys()]) {
      if (kept.has(n)) continue;
      await unlink(join(dir, `${n}.json`)).catch(() => undefined);
      onDisk.delete(n);
    }
  }

  /** Write then rename, so a reload in the middle never leaves half a file. */
  private async replace(file: string, text: string): Promise<void> {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  }

  private belongsTo(dir: string, key: string): boolean {
    try {
      const handler: unknown = JSON.parse(readFileSync(join(dir, HANDLER_FILE), 'utf8'));
      return typeof handler === 'object' && handler !== null && (handler as { version?: unknown }).version === FORMAT_VERSION && (handler as { key?: unknown }).key === key;
    } catch {
      return false;
    }
  }

  private keepAside(file: string): void {
    try {
      renameSync(file, `${file}.corrupt`);
    } catch {
      // Cannot move it: it will be overwritten or deleted by the next save.
    }
  }
}
