/**
 * Keeps one backend per served function, created on first invoke (the warm local backend
 * holds the function's environments, one per concurrent invocation). A configuration change
 * drops it, like Lambda: the next invocation is cold and sees the new variables and layers. Layers are extracted, in order, into a temporary
 * folder that stands in for /opt, streamed to disk with the same running count as at publish.
 */
import { chmodSync, createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzip, UNZIPPED_LIMIT, type ZipFileWriter } from '../lambda/zip';
import type { BackendFactory, FunctionBackend } from './backend';
import type { EndpointState, ServedFunction } from './state';

interface Live {
  backend: Promise<FunctionBackend>;
  optDir: string | null;
}

export class BackendPool {
  private readonly live = new Map<string, Live>();
  /** Set by dispose(): the endpoint closed, and nothing starts again (a queued Event invocation retrying, say). */
  private disposed = false;

  constructor(
    private readonly state: EndpointState,
    private readonly factory: BackendFactory,
  ) {}

  get(fn: ServedFunction): Promise<FunctionBackend> {
    if (this.disposed) return Promise.reject(new Error('the endpoint has stopped'));
    const existing = this.live.get(fn.name);
    if (existing) return existing.backend;
    const entry: Live = {
      optDir: null,
      backend: this.extractLayers(fn).then((optDir) => {
        entry.optDir = optDir;
        // Managed Instances: reserved concurrency counts invocations, each environment runs `concurrency` of them.
        const managed = fn.managedInstances;
        const maxEnvironments = managed ? Math.ceil(fn.reservedConcurrency / managed.concurrency) : fn.reservedConcurrency;
        return this.factory({ name: fn.name, code: fn.code, configuration: fn.configuration, optDir, region: this.state.region, maxEnvironments, ...(managed ? { managedInstances: managed } : {}) });
      }),
    };
    // A failed start is not kept: the next invoke tries again.
    entry.backend.catch(() => {
      if (this.live.get(fn.name) === entry) this.live.delete(fn.name);
      if (entry.optDir) rmSync(entry.optDir, { recursive: true, force: true });
    });
    this.live.set(fn.name, entry);
    return entry.backend;
  }

  /** Ends the function's environment; the next invoke starts a new one with the current configuration. */
  async drop(name: string): Promise<void> {
    const existing = this.live.get(name);
    if (!existing) return;
    this.live.delete(name);
    const backend = await existing.backend.catch(() => null);
    await backend?.dispose();
    if (existing.optDir) rmSync(existing.optDir, { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.live.keys()].map((name) => this.drop(name)));
  }

  private async extractLayers(fn: ServedFunction): Promise<string | null> {
    const layers = fn.configuration.Layers ?? [];
    if (layers.length === 0) return null;
    const optDir = await mkdtemp(join(tmpdir(), 'warm-state-opt-'));
    let budget = UNZIPPED_LIMIT;
    try {
      for (const layer of layers) {
        const version = this.state.layerByArn(layer.Arn);
        if (!version) continue; // validated on update; a missing one cannot happen
        const { bytes } = await unzip(version.zip, budget, (path, mode) => fileWriter(join(optDir, path), mode));
        budget -= bytes;
      }
    } catch (error) {
      rmSync(optDir, { recursive: true, force: true });
      throw error;
    }
    return optDir;
  }
}

/** Streams one extracted file to disk (later layers overwrite earlier ones, as in Lambda). */
function fileWriter(target: string, mode: number | undefined): ZipFileWriter {
  let stream: WriteStream | null = null;
  const open = (): WriteStream => {
    if (!stream) {
      mkdirSync(dirname(target), { recursive: true });
      stream = createWriteStream(target, { mode: mode ?? 0o644 });
    }
    return stream;
  };
  return {
    write: (chunk) => new Promise<void>((resolve, reject) => open().write(chunk, (error) => (error ? reject(error) : resolve()))),
    end: async () => {
      await new Promise<void>((resolve, reject) => open().once('error', reject).end(resolve));
      if (mode !== undefined) chmodSync(target, mode);
    },
  };
}
