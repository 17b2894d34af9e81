/** Shared helpers of the engine suites: fixture paths, environments that are always disposed. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CapturedVariable, ValueNode } from '../../src/core/model/snapshot';
import type { EnvironmentOptions, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';

export const FIXTURES = resolve(__dirname, '../fixtures/handlers');
export const EXAMPLES = resolve(__dirname, '../../examples');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Creates environments and disposes all of them in one call (for `after` hooks). */
export class EnvironmentPool {
  private readonly environments: WarmEnvironment[] = [];

  /**
   * Runs as nodejs20.x (Lambda's 3.x runtime client) unless the options name a runtime (an
   * explicit `runtime: undefined` lets the local node's major choose): these suites test that
   * client's behaviour (callback handlers among it), and `npm run test:node-versions` runs them
   * under Node 22 and 24 to test Node versions, not profiles.
   */
  create(options: EnvironmentOptions): WarmEnvironment {
    const environment = createLocalEnvironment('runtime' in options ? options : { ...options, runtime: 'nodejs20.x' });
    this.environments.push(environment);
    return environment;
  }

  async disposeAll(): Promise<void> {
    await Promise.all(this.environments.splice(0).map((environment) => environment.dispose()));
  }
}

/** The variable named `name`, or a failure that lists what was there. */
export function variable(scope: CapturedVariable[] | null, name: string): CapturedVariable {
  const found = scope?.find((v) => v.name === name);
  if (!found) throw new Error(`no variable ${name} in [${scope?.map((v) => v.name).join(', ') ?? 'null'}]`);
  return found;
}

export function property(node: ValueNode, name: string): ValueNode {
  if (node.type !== 'object') throw new Error(`expected an object node, got ${node.type}`);
  const found = node.properties.find((p) => p.name === name);
  if (!found) throw new Error(`no property ${name}`);
  return found.value;
}

/** Child processes of this test process still running our bootstrap. */
export function leftoverChildren(): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'dist/child/bootstrap'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** The process's state letter as `ps` shows it (`S` sleeping, `T` stopped, `Z` zombie), null when gone. */
export function processState(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
    } catch {
      return null;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim()[0] ?? null;
  } catch {
    return null; // ps exits 1 when there is no such process
  }
}

/** Alive and not a zombie (an orphan's zombie may wait for a PID 1 that never reaps it). */
export function isRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== null && state !== 'Z';
}

export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}
