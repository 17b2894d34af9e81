/**
 * Deployment-package zips, through fflate: the writer for the probe layer the CLI and the
 * extension publish, and the reader the local endpoint uses on archives anyone may upload.
 *
 * The reader treats every archive as hostile. It walks the entries in stream order (local
 * headers, so overlapping central-directory entries cannot make one byte count many times),
 * inflates in small slices with a running count of the bytes actually produced (a declared
 * size can only make it stop sooner, never let it go further), stops at the limit it is given,
 * and yields to the event loop between slices: a zip bomb is refused after at most `limit`
 * bytes and never stalls other requests for long.
 */
import { Unzip, UnzipInflate, zipSync, type UnzipFile, type Zippable } from 'fflate';

export interface ZipEntry {
  /** Forward-slash path inside the archive, no leading slash, no `..`. */
  path: string;
  data: Buffer;
  /** Unix mode bits (e.g. 0o755 for the wrapper script); default 0o644. */
  mode?: number;
}

/** Lambda's limit on the unzipped size of a function with its layers (and of each layer). */
export const UNZIPPED_LIMIT = 250 * 1024 * 1024;

/** Thrown when an archive inflates past the limit it was read with. */
export class ZipTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the archive inflates to more than ${limit} bytes`);
    this.name = 'ZipTooLargeError';
  }
}

/** DOS timestamps start in 1980; a fixed one makes the same inputs give byte-identical archives. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;
const REGULAR_FILE = 0o100000;

function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').includes('..') || path.includes('\\')) {
    throw new Error(`invalid zip entry path "${path}"`);
  }
}

export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    checkPath(entry.path);
    files[entry.path] = [entry.data, { os: UNIX, attrs: ((REGULAR_FILE | (entry.mode ?? 0o644)) << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(files, { level: 9, mtime: FIXED_MTIME }));
}

/** Where the files of an archive go as they inflate: one writer per file, in archive order. */
export type ZipSink = (path: string, mode: number | undefined) => ZipFileWriter;
export interface ZipFileWriter {
  write(chunk: Uint8Array): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Compressed bytes handed to the inflater at once: at most ~1000x that comes out (deflate's ceiling). */
const SLICE = 2 * 1024;
/** Inflating runs at most this long before other work on the event loop gets its turn. */
const TURN_MS = 8;

type ZipEvent = { kind: 'open'; path: string } | { kind: 'data'; chunk: Uint8Array } | { kind: 'end' };

/**
 * Reads every file of an untrusted archive into `sink` (folders are implied by paths and
 * skipped). Resolves with the number of files and their total unzipped size. Throws
 * ZipTooLargeError past `limit` bytes, or an Error for anything malformed (bad paths, unknown
 * compression, broken deflate data, an archive that ends inside an entry).
 */
export async function unzip(archive: Uint8Array, limit: number, sink: ZipSink): Promise<{ files: number; bytes: number }> {
  const modes = unixModes(archive);
  let bytes = 0;
  let files = 0;
  let open = false;
  let failure: Error | null = null;
  // fflate reports entries and their bytes synchronously while a slice is pushed; they are
  // queued and handed to the sink (which may write to disk) before the next slice goes in.
  let events: ZipEvent[] = [];
  const reader = new Unzip((file: UnzipFile) => {
    if (failure) return;
    if (file.name.endsWith('/')) {
      file.ondata = () => undefined;
      file.start();
      return;
    }
    try {
      checkPath(file.name);
    } catch (error) {
      failure = error as Error;
      return;
    }
    // A declared size is a promise, not a measure: past the limit it refuses the archive at
    // once, and an entry that inflates beyond what it declared is corrupt (or a bomb that lied).
    const declared = file.originalSize;
    if (declared !== undefined && bytes + declared > limit) {
      failure = new ZipTooLargeError(limit);
      return;
    }
    files++;
    events.push({ kind: 'open', path: file.name });
    let entryBytes = 0;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new Error(`zip entry ${file.name}: ${error.message}`);
        return;
      }
      bytes += chunk.length;
      entryBytes += chunk.length;
      if (bytes > limit || (declared !== undefined && entryBytes > declared)) {
        failure = bytes > limit ? new ZipTooLargeError(limit) : new Error(`zip entry ${file.name} inflates to more than the ${declared} bytes it declares`);
        file.terminate();
        return;
      }
      if (chunk.length > 0) events.push({ kind: 'data', chunk });
      if (final && declared !== undefined && entryBytes !== declared) {
        failure = new Error(`zip entry ${file.name} inflates to ${entryBytes} bytes, not the ${declared} it declares`);
        return;
      }
      if (final) events.push({ kind: 'end' });
    };
    file.start();
  });
  reader.register(UnzipInflate);

  let writer: ZipFileWriter | null = null;
  let turnStarted = performance.now();
  for (let offset = 0; offset < archive.length && !failure; offset += SLICE) {
    try {
      reader.push(archive.subarray(offset, offset + SLICE), offset + SLICE >= archive.length);
    } catch (error) {
      failure ??= new Error(`not a readable zip archive: ${(error as Error).message}`);
    }
    const batch = events;
    events = [];
    for (const event of batch) {
      if (failure) break;
      if (event.kind === 'open') {
        writer = sink(event.path, modes.get(event.path));
        open = true;
      } else if (event.kind === 'data') await writer?.write(event.chunk);
      else {
        await writer?.end();
        open = false;
      }
    }
    if (performance.now() - turnStarted > TURN_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turnStarted = performance.now();
    }
  }
  if (!failure && open) failure = new Error('zip archive ends inside an entry');
  if (failure) throw failure;
  return { files, bytes };
}

/** Reads a small archive whole (tests, and archives the caller built itself). */
export async function readZip(archive: Uint8Array, limit = UNZIPPED_LIMIT): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  await unzip(archive, limit, (path, mode) => {
    const chunks: Uint8Array[] = [];
    return {
      write: (chunk) => void chunks.push(chunk),
      end: () => void entries.push(mode === undefined ? { path, data: Buffer.concat(chunks) } : { path, data: Buffer.concat(chunks), mode }),
    };
  });
  return entries;
}

/**
 * Unix permission bits by path, from the central directory (fflate reads file data from the
 * local headers, which carry no permissions; a layer's scripts need their execute bits).
 * Bounded: every offset is checked against the archive, entries are counted by the directory.
 */
function unixModes(archive: Uint8Array): Map<string, number> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const modes = new Map<string, number>();
  let end = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let cursor = view.getUint32(end + 16, true);
  for (let i = 0; i < count; i++) {
    if (cursor + 46 > end || view.getUint32(cursor, true) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const madeBy = view.getUint16(cursor + 4, true) >> 8;
    const nameLength = view.getUint16(cursor + 28, true);
    const skip = nameLength + view.getUint16(cursor + 30, true) + view.getUint16(cursor + 32, true);
    const attributes = view.getUint32(cursor + 38, true);
    if (cursor + 46 + nameLength > end) throw new Error('corrupt zip central directory');
    const path = Buffer.from(archive.subarray(cursor + 46, cursor + 46 + nameLength)).toString('utf8');
    const mode = (attributes >>> 16) & 0o777;
    if (madeBy === UNIX && mode !== 0) modes.set(path, mode);
    cursor += 46 + skip;
  }
  return modes;
}
