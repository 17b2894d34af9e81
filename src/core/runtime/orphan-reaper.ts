/**
 * A frozen child (SIGSTOP) cannot notice that its host died: it would stay stopped forever
 * when the editor or the CLI is killed (SIGKILL, crash) before it could clean up. The host's
 * own exit hook covers ordinary exits; this covers the rest. One small watchdog process per
 * host holds a pipe from the host and SIGKILLs the registered children's process groups (each
 * child leads its own, process-group.ts: whatever the handler started goes too) when the pipe
 * closes. It ignores SIGINT/SIGTERM/SIGHUP so that a Ctrl+C reaching the whole process group
 * still leaves it alive long enough to clean up. POSIX only (Windows has no freeze).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const REAPER_SCRIPT = `
const pids = new Set();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\\n')) >= 0) {
    const [op, pid] = buffer.slice(0, end).split(' ');
    buffer = buffer.slice(end + 1);
    if (op === '+') pids.add(Number(pid)); else pids.delete(Number(pid));
  }
});
const reap = () => { for (const pid of pids) { try { process.kill(-pid, 'SIGKILL'); } catch {} } process.exit(0); };
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

let reaper: ChildProcess | null = null;
let failed = false;

function ensureReaper(nodePath: string, env: NodeJS.ProcessEnv): ChildProcess | null {
  if (reaper || failed || process.platform === 'win32') return reaper;
  try {
    const started = spawn(nodePath, ['-e', REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env });
    started.on('error', () => {
      failed = true;
      reaper = null;
    });
    started.on('exit', () => {
      reaper = null;
    });
    started.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep the host alive.
    started.unref();
    (started.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    reaper = started;
  } catch {
    failed = true;
  }
  return reaper;
}

/** Registers a child (the leader of its process group) to be killed with its group if this host process dies without cleaning up. */
export function guardChild(pid: number, nodePath: string, env: NodeJS.ProcessEnv): void {
  ensureReaper(nodePath, env)?.stdin?.write(`+ ${pid}\n`);
}

/** The child ended normally: forget it (its pid could be reused). */
export function releaseChild(pid: number): void {
  if (reaper?.stdin?.writable) reaper.stdin.write(`- ${pid}\n`);
}
