/** Lambda's own log lines around an invocation (START / END / REPORT), formatted like the real ones. */

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs: number | null;
}

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export function reportLine(f: ReportFigures): string {
  const parts = [
    `REPORT RequestId: ${f.requestId}`,
    `Duration: ${f.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${f.billedDurationMs} ms`,
    `Memory Size: ${f.memorySizeMB} MB`,
    `Max Memory Used: ${f.maxMemoryUsedMB} MB`,
  ];
  if (f.initDurationMs !== null) parts.push(`Init Duration: ${f.initDurationMs.toFixed(2)} ms`);
  return `${parts.join('\t')}\n`;
}

/** Lambda bills whole milliseconds, rounded up (at least 1 ms). */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function bytesToMB(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}
