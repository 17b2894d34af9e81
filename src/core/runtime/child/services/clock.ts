/**
 * Milliseconds since the process started, as `performance.now()` counts them, without
 * `node:perf_hooks`: that module pulls in ten internal modules which every cold start (the
 * main thread and the capture worker each) would compile for one clock.
 */
export function nowMs(): number {
  return process.uptime() * 1000;
}
