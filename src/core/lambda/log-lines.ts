/** Lambda's own log lines around an invocation (START / END / REPORT), formatted like the real ones. */

import { billedDuration, formatEndLine, formatReportLine, formatStartLine, type ReportLine } from './report';

// One formatter for Lambda's platform lines, shared with the deployed client and the local
// endpoint (lambda/report.ts); the local log keeps one line per entry, without REPORT's trailing tab.
export { billedDuration };

export type ReportFigures = Pick<ReportLine, 'requestId' | 'durationMs' | 'billedDurationMs' | 'memorySizeMB' | 'maxMemoryUsedMB' | 'initDurationMs'>;

export function startLine(requestId: string): string {
  return `${formatStartLine(requestId)}\n`;
}

export function endLine(requestId: string): string {
  return `${formatEndLine(requestId)}\n`;
}

export function reportLine(figures: ReportFigures): string {
  return `${formatReportLine({ ...figures, status: null, errorType: null }).replace(/\t$/, '')}\n`;
}

export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function bytesToMB(bytes: number): number {
  return Math.ceil(bytes / (1024 * 1024));
}
