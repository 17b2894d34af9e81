/**
 * Keeps each handler's history across window reloads: the extension host restarts on a
 * reload (and every child process with it), but the restored panel should still show
 * what ran before. Files in the extension's workspace storage, one per handler, written
 * a moment after the last change. What is read back is validated like any untrusted input.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { InvocationRecord } from '../core/model/snapshot';
import { isInvocationRecord } from '../webview-protocol/panel';
import { handlerKey, type HandlerRef } from './handler-key';

/** Records kept on disk per handler: enough to see the trend again, small enough to write often. */
export const PERSISTED_RECORDS = 100;
const WRITE_DELAY_MS = 1000;
const FORMAT_VERSION = 1;

interface HistoryFile {
  version: number;
  key: string;
  records: unknown[];
}

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

export class FileHistoryStore implements HistoryStore {
  private readonly pending = new Map<string, { ref: HandlerRef; records: readonly InvocationRecord[] }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly folder: string,
    private readonly onError: (message: string) => void,
  ) {}

  private fileFor(ref: HandlerRef): string {
    return join(this.folder, `${createHash('sha256').update(handlerKey(ref)).digest('hex').slice(0, 32)}.json`);
  }

  load(ref: HandlerRef): InvocationRecord[] {
    let text: string;
    try {
      text = readFileSync(this.fileFor(ref), 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as Partial<HistoryFile>;
      if (parsed.version !== FORMAT_VERSION || parsed.key !== handlerKey(ref) || !Array.isArray(parsed.records)) return [];
      return parsed.records.filter(isInvocationRecord);
    } catch (error) {
      this.onError(`Ignoring unreadable saved history: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  save(ref: HandlerRef, records: readonly InvocationRecord[]): void {
    this.pending.set(handlerKey(ref), { ref, records: records.slice(-PERSISTED_RECORDS) });
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await mkdir(this.folder, { recursive: true });
        for (const { ref, records } of batch) {
          const file = this.fileFor(ref);
          const body: HistoryFile = { version: FORMAT_VERSION, key: handlerKey(ref), records: [...records] };
          // Write then rename, so a reload in the middle never leaves half a file.
          await writeFile(`${file}.tmp`, JSON.stringify(body));
          await rename(`${file}.tmp`, file);
        }
      } catch (error) {
        this.onError(`Could not save the invocation history: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    await this.writing;
  }
}

