/**
 * An execution environment is a process tree, not one process: a handler may spawn programs
 * (`exec('convert ...')`, a worker pool), and Lambda freezes and ends the whole sandbox. So the
 * engine starts each environment's process as the leader of its own process group (POSIX) and
 * signals the group: SIGSTOP/SIGCONT freeze and thaw everything in it, SIGKILL ends everything
 * in it, and nothing the handler started is left running under PID 1.
 *
 * Windows has no process groups to signal and no SIGSTOP: there a process tree is ended with
 * `taskkill /T /F` (children found by their parent pid) and freezing does nothing.
 *
 * Also used by the local endpoint's Runtime API backend (real runtime clients and wrappers).
 */
import { spawn, spawnSync } from 'node:child_process';

const WINDOWS = process.platform === 'win32';

/** Spawn option: the child leads a new process group (and session) on POSIX. */
export const OWN_PROCESS_GROUP: { detached: boolean } = { detached: !WINDOWS };

/** Sends `signal` to the group `leaderPid` leads; false when there is none (or on Windows). */
export function signalGroup(leaderPid: number, signal: NodeJS.Signals): boolean {
  if (WINDOWS) return false;
  try {
    process.kill(-leaderPid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The command that ends a process and its descendants on Windows. */
export function windowsTreeKill(pid: number): { command: string; args: string[] } {
  return { command: 'taskkill', args: ['/T', '/F', '/PID', String(pid)] };
}

/**
 * Ends `leaderPid` and everything it started. `sync` waits for Windows' taskkill (for exit
 * hooks, where nothing asynchronous runs any more).
 */
export function endProcessTree(leaderPid: number, sync = false): void {
  if (!WINDOWS) {
    signalGroup(leaderPid, 'SIGKILL');
    return;
  }
  const { command, args } = windowsTreeKill(leaderPid);
  const fallback = (): void => {
    try {
      process.kill(leaderPid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  if (sync) {
    if (spawnSync(command, args, { stdio: 'ignore', windowsHide: true }).status !== 0) fallback();
    return;
  }
  const killer = spawn(command, args, { stdio: 'ignore', windowsHide: true });
  killer.once('error', fallback);
  killer.once('exit', (code) => code !== 0 && fallback());
}

/** Trees still alive, ended when this process exits (any exit that runs 'exit' listeners). */
const liveTrees = new Set<number>();
let exitHookInstalled = false;

/** Ends the tree of `leaderPid` when this process exits; call the returned function once it ended. */
export function endTreeOnExit(leaderPid: number): () => void {
  liveTrees.add(leaderPid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const pid of liveTrees) endProcessTree(pid, true);
    });
  }
  return () => liveTrees.delete(leaderPid);
}
