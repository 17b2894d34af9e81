/**
 * Keeps one backend (one execution environment) per served function, created on first
 * invoke. A configuration change drops it, like Lambda: the next invocation is cold and
 * sees the new variables and layers. Layers are extracted, in order, into a temporary
 * folder that stands in for /opt.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readZip } from '../lambda/zip';
import type { BackendFactory, FunctionBackend } from './backend';
import type { EndpointState, ServedFunction } from './state';

interface Live {
  backend: FunctionBackend;
  optDir: string | null;
}

export class BackendPool {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly state: EndpointState,
    private readonly factory: BackendFactory,
  ) {}

  get(fn: ServedFunction): FunctionBackend {
    const existing = this.live.get(fn.name);
    if (existing) return existing.backend;
    const optDir = this.extractLayers(fn);
    const backend = this.factory({ name: fn.name, code: fn.code, configuration: fn.configuration, optDir, region: this.state.region });
    this.live.set(fn.name, { backend, optDir });
    return backend;
  }

  /** Ends the function's environment; the next invoke starts a new one with the current configuration. */
  async drop(name: string): Promise<void> {
    const existing = this.live.get(name);
    if (!existing) return;
    this.live.delete(name);
    await existing.backend.dispose();
    if (existing.optDir) rmSync(existing.optDir, { recursive: true, force: true });
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live.keys()].map((name) => this.drop(name)));
  }

  private extractLayers(fn: ServedFunction): string | null {
    const layers = fn.configuration.Layers ?? [];
    if (layers.length === 0) return null;
    const optDir = mkdtempSync(join(tmpdir(), 'warm-state-opt-'));
    for (const layer of layers) {
      const version = this.state.layerByArn(layer.Arn);
      if (!version) continue; // validated on update; a missing one cannot happen
      for (const entry of readZip(version.zip)) {
        const target = join(optDir, entry.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, entry.data);
        if (entry.mode) chmodSync(target, entry.mode);
      }
    }
    return optDir;
  }
}
