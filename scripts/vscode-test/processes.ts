// Every process the VS Code test run starts goes through here, in its own process group,
// so that one call can close all of them: on success, on failure and on Ctrl-C.
// Stopping follows what was measured with code-server: SIGTERM to the group, wait until the
// group is empty (its children take 3-7 s to exit), then SIGKILL whatever is left.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the leader has exited. */
  readonly exited: Promise<number | string>;
}

const running = new Set<StartedProcess>();

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions): StartedProcess {
  // detached: the child leads a new process group, so its whole tree can be signalled at once.
  const child = spawn(command, args, { ...options, detached: true });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(`spawn failed: ${error.message}`));
  });
  const started: StartedProcess = { name, child, exited };
  running.add(started);
  return started;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Stops one started process and every process in its group; resolves when none is left. */
export async function stopProcess(started: StartedProcess, graceMs = 8000): Promise<void> {
  const pgid = started.child.pid;
  running.delete(started);
  if (pgid === undefined) return;
  signalGroup(pgid, 'SIGTERM');
  // Processes stopped with SIGSTOP (the extension freezes idle handler environments like
  // Lambda does) only act on the pending SIGTERM once continued.
  signalGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) {
    console.log(`[vscode-test] ${started.name} (group ${pgid}) still running after ${graceMs} ms: SIGKILL`);
    signalGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid)) await sleep(50);
  }
}

/** Stops everything still registered, in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((started) => stopProcess(started)));
}

export function runningCount(): number {
  return running.size;
}

/** Runs a command to completion with inherited or captured output; rejects on a non-zero exit. */
export async function runToCompletion(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { captureOutput?: boolean },
): Promise<string> {
  const started = startProcess(name, command, args, {
    ...options,
    stdio: options.captureOutput ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let output = '';
  started.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const result = await started.exited;
  running.delete(started);
  // Children of the command (npm runs scripts in sub-shells) may outlive it: close the group.
  if (started.child.pid !== undefined && groupAlive(started.child.pid)) await stopProcess(started);
  if (result !== 0) {
    throw new Error(`${name} failed (${result}): ${command} ${args.join(' ')}${output ? `\n${output.slice(-4000)}` : ''}`);
  }
  return output;
}
