/**
 * Host side of a retained-size measurement: a private temporary folder for the snapshot, the
 * analyser process, and the clean-up. The child writes the snapshot (it is paused meanwhile);
 * this module never reads the snapshot into the host's own memory.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RetainedMeasurement } from '../../model/snapshot';
import type { AnalyserReply, AnalyserRequest } from './analyser-protocol';

/** Generous: a 1,000,000-object heap analyses in about a second on a laptop. */
const ANALYSIS_TIMEOUT_MS = 120_000;

export interface SnapshotTarget {
  folder: string;
  file: string;
  anchorKey: string;
  dispose(): void;
}

/** A folder only this user can read (mkdtemp makes it 0700): snapshots hold every value of the heap. */
export function snapshotTarget(): SnapshotTarget {
  const folder = mkdtempSync(join(tmpdir(), 'warm-state-heap-'));
  return {
    folder,
    file: join(folder, 'child.heapsnapshot'),
    anchorKey: `warmStateModuleAnchor_${randomBytes(8).toString('hex')}`,
    dispose: () => rmSync(folder, { recursive: true, force: true }),
  };
}

export function snapshotSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export interface AnalyserCommand {
  nodePath: string;
  nodeEnv?: Record<string, string>;
  analyserPath: string;
}

export function analyseSnapshot(command: AnalyserCommand, request: AnalyserRequest): Promise<Omit<RetainedMeasurement, 'snapshotMs' | 'snapshotBytes'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.nodePath, [command.analyserPath], {
      env: { ...process.env, ...command.nodeEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), ANALYSIS_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let reply: AnalyserReply;
      try {
        reply = JSON.parse(stdout) as AnalyserReply;
      } catch {
        reject(new Error(`the heap analyser ended (${signal ?? `exit ${code}`}) without a result${stderr ? `: ${stderr.trim()}` : ''}`));
        return;
      }
      if (!reply.ok) reject(new Error(reply.reason));
      else resolve({ bindings: reply.bindings, analysisMs: reply.analysisMs, heapObjects: reply.nodeCount });
    });
    child.stdin.end(JSON.stringify(request));
  });
}
