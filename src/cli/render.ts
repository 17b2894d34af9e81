/**
 * Human output of the CLI: one block per invocation with the logs, module scope beside
 * handler scope (two columns when the terminal is wide enough, else stacked), change marks,
 * growth warnings and faults. Pure: a record and a layout in, text out. Everything the record
 * carries is passed through terminalSafe: user code never writes control characters to the terminal.
 */
import { describeExtent, previewValue } from '../core/model/preview';
import { describeEstimate, describeOverMemorySize, formatBytes, growthInUnits } from '../core/model/memory-trend';
import type { Change, CrossTalkFinding, InvocationRecord, ModuleVariable, PendingWork, Variable } from '../core/model/snapshot';
import { latestPerEnvironment } from '../core/model/history';
import { terminalSafe } from './terminal-text';
import { errorHint } from '../core/lambda/error-hints';

export interface Layout {
  /** Terminal width in columns. */
  width: number;
  color: boolean;
  /** Say which environment ran each invocation (several run at once: `--parallel`). */
  showEnvironment?: boolean;
}

/** Below this width the two scopes are stacked instead of side by side. */
export const TWO_COLUMN_MIN_WIDTH = 100;
const GUTTER = ' │ ';

type Paint = (text: string) => string;
export interface Palette {
  bold: Paint; dim: Paint; red: Paint; green: Paint; yellow: Paint; cyan: Paint; magenta: Paint;
}

export function palette(color: boolean): Palette {
  const sgr = (open: number, close: number): Paint => (color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), magenta: sgr(35, 39) };
}

const MARKS: Record<Change, string> = { added: '+', changed: '~', unchanged: '·', removed: '-' };

/** The one-line key to the change marks, printed once before the first invocation. */
export function legend(layout: Layout): string {
  const p = palette(layout.color);
  return p.dim(`marks: ${p.green('+')} added  ${p.yellow('~')} changed  ${MARKS.unchanged} unchanged  ${p.red('-')} removed since the previous invocation`);
}

function paintMark(change: Change, p: Palette): string {
  const mark = MARKS[change];
  switch (change) {
    case 'added': return p.green(mark);
    case 'changed': return p.yellow(mark);
    case 'removed': return p.red(mark);
    default: return p.dim(mark);
  }
}

/** A rendered line with its visible width (colour codes excluded), for column layout. */
interface Cell {
  text: string;
  width: number;
}

function plain(text: string, paint: Paint = (t) => t): Cell {
  return { text: paint(text), width: text.length };
}

function variableCells(variables: readonly (Variable | ModuleVariable)[], width: number, p: Palette): Cell[] {
  if (variables.length === 0) return [plain('(none)', p.dim)];
  const nameWidth = Math.min(Math.max(...variables.map((v) => v.name.length)), Math.max(8, Math.floor(width / 3)));
  return variables.map((variable) => {
    const safeName = terminalSafe(variable.name);
    const name = safeName.length > nameWidth ? `${safeName.slice(0, nameWidth - 1)}…` : safeName.padEnd(nameWidth);
    const growing = 'growing' in variable && variable.growing;
    const flag = growing ? '  ⚠ growing' : '';
    const valueWidth = Math.max(8, width - nameWidth - 4 - flag.length);
    const value = terminalSafe(previewValue(variable.value, 'inspect', valueWidth));
    const paintedName = growing ? p.bold(p.red(name)) : p.bold(name);
    const paintedValue = variable.change === 'removed' ? p.dim(value) : value;
    return {
      text: `${paintMark(variable.change, p)} ${paintedName}  ${paintedValue}${growing ? p.red(flag) : ''}`,
      width: 2 + nameWidth + 2 + value.length + flag.length,
    };
  });
}

function column(title: string, cells: Cell[], p: Palette): Cell[] {
  return [plain(title, (t) => p.cyan(p.bold(t))), ...cells];
}

function pad(cell: Cell, width: number): string {
  return cell.text + ' '.repeat(Math.max(0, width - cell.width));
}

function header(record: InvocationRecord, width: number, p: Palette, showEnvironment: boolean): string {
  const facts = [
    `Invocation ${record.invocation}`,
    showEnvironment ? `environment ${record.environment ?? 0}` : null,
    record.worker !== undefined ? `worker ${record.worker}` : null,
    record.overlapping?.length ? `${record.overlapping.length} overlapping` : null,
    record.cold ? 'cold start' : 'warm',
    // A new environment says which runtime it runs on (the user's node, or the deployed runtime).
    record.cold ? terminalSafe(record.source === 'local' ? `${record.runtime ? `${record.runtime} on ` : ''}node ${record.runtimeVersion}` : record.runtimeVersion) : null,
    `${record.durationMs.toFixed(1)} ms`,
    record.initDurationMs !== null ? `init ${record.initDurationMs.toFixed(1)} ms` : null,
    `${record.maxMemoryUsedMB} MB max`,
    record.memory ? `heap ${(record.memory.heapUsedBytes / 1048576).toFixed(1)} MB` : null,
  ].filter((f): f is string => f !== null);
  const title = `── ${facts.join(' · ')} `;
  return p.bold(title + '─'.repeat(Math.max(0, Math.min(width, 100) - title.length)));
}

/** The whole block for one invocation. */
export function renderInvocation(record: InvocationRecord, layout: Layout): string {
  const p = palette(layout.color);
  const width = Math.max(40, layout.width);
  const lines: string[] = [header(record, width, p, layout.showEnvironment === true)];

  const logs = terminalSafe(record.logs.replace(/\n+$/, ''));
  if (logs) {
    for (const raw of logs.split('\n')) {
      // Lambda separates fields with tabs; on a terminal they expand past the width, so two
      // spaces here (the --json record keeps the text exactly).
      const line = raw.replace(/\t/g, '  ');
      lines.push(/^(START|END|REPORT|INIT_START) /.test(line) ? p.dim(line) : line);
    }
  }

  if (record.error) {
    lines.push(p.red(terminalSafe(`✗ ${record.error.errorType}: ${record.error.errorMessage}`)));
    const hint = errorHint(record.error);
    if (hint) lines.push(p.yellow(`hint: ${hint}`));
  } else {
    lines.push(`${p.green('←')} response ${terminalSafe(compactJson(record.response, Math.max(20, width - 11)))}`);
  }
  if (record.reset) {
    lines.push(p.magenta(`⟲ environment reset (${record.reset}): module state is gone, the next invocation is a cold start`));
  }
  if (record.captureError) {
    lines.push(p.yellow(terminalSafe(`scopes not captured: ${record.captureError}`)));
  }
  for (const finding of record.findings ?? []) lines.push(p.red(terminalSafe(`✗ ${crossTalkLine(finding)}`)));

  const hasScopes = record.moduleScope.length > 0 || record.handlerScope.length > 0 || record.parameters.length > 0 || !record.captureError;
  if (hasScopes) {
    lines.push('');
    const moduleTitle = 'MODULE SCOPE · survives between warm invocations';
    const handlerTitle = 'HANDLER SCOPE · recreated every invocation';
    if (width >= TWO_COLUMN_MIN_WIDTH) {
      const columnWidth = Math.floor((width - GUTTER.length) / 2);
      const left = column(moduleTitle.slice(0, columnWidth), variableCells(record.moduleScope, columnWidth, p), p);
      const right = column(handlerTitle.slice(0, columnWidth), variableCells(record.handlerScope, columnWidth, p), p);
      const rows = Math.max(left.length, right.length);
      for (let i = 0; i < rows; i++) {
        const l = left[i] ?? plain('');
        const r = right[i];
        lines.push(r ? `${pad(l, columnWidth)}${p.dim(GUTTER)}${r.text}` : l.text);
      }
    } else {
      for (const cell of column(moduleTitle, variableCells(record.moduleScope, width, p), p)) lines.push(cell.text);
      lines.push('');
      for (const cell of column(handlerTitle, variableCells(record.handlerScope, width, p), p)) lines.push(cell.text);
    }
    if (record.parameters.length > 0) {
      // The event is the user's input; context and callback are Lambda's own, named only.
      const [first, ...others] = record.parameters;
      const names = others.length ? `   (also ${others.map((v) => v.name).join(', ')})` : '';
      const text = `parameters: ${first.name} = ${previewValue(first.value, 'inspect', Math.max(20, width - 14 - names.length))}${names}`;
      lines.push(p.dim(terminalSafe(text)));
    }
  }

  for (const variable of record.moduleScope) {
    if (variable.growing) lines.push(p.red(growthLine(variable)));
  }
  for (const line of memoryLines(record)) lines.push(p.yellow(line));
  if (record.error?.trace.length) {
    lines.push(p.dim(terminalSafe(record.error.trace.slice(0, 6).map((t) => `  ${t}`).join('\n'))));
  }
  return lines.join('\n');
}

/** The handler's response as one line of JSON, cut to `width` characters. */
export function compactJson(value: unknown, width: number): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * `⚠ arrayB keeps growing: 3 items, +1 per invocation, retains 1.2 MB, +12 KB per invocation
 * (size 2 → 4 → 6 over 3 invocations of one environment)`: items and bytes first, the
 * structural size series last (the first point may be the cold invocation).
 */
export function growthLine(variable: ModuleVariable): string {
  const series = variable.sizeSeries;
  const shown = series.length > 12 ? ['…', ...series.slice(-12)] : series;
  return terminalSafe(`⚠ ${variable.name} keeps growing: ${growthInUnits(variable)} (now ${describeExtent(variable.value)}; size ${shown.join(' → ')} over ${series.length} invocations of one environment)`);
}

/** What the handler left running, what of it ran here, the init profile and the memory estimate: one line each. */
export function memoryLines(record: InvocationRecord): string[] {
  const lines: string[] = [];
  const measured = record.moduleScope.filter((variable) => variable.retainedBytes !== undefined);
  if (measured.length > 0) {
    const ranked = [...measured].sort((a, b) => (b.retainedBytes ?? 0) - (a.retainedBytes ?? 0)).slice(0, 8);
    const shown = ranked.map((v) => `${v.name} ${formatBytes(v.retainedBytes ?? 0)}${v.sharedWith?.length ? ` (shared with ${v.sharedWith.join(', ')})` : ''}`);
    lines.push(`retained bytes: ${shown.join(', ')}${record.retained ? ` · snapshot ${record.retained.snapshotMs.toFixed(0)} ms, analysis ${record.retained.analysisMs.toFixed(0)} ms` : ''}`);
  }
  const list = (works: readonly PendingWork[]) => works.map((work) => `${work.kind} (${shortPath(work.createdAt)})`).join(', ');
  if (record.pendingRan?.length) lines.push(`ran from an earlier invocation: ${list(record.pendingRan)}`);
  if (record.pendingAtFreeze?.length) lines.push(`left running at freeze (runs in a later invocation): ${list(record.pendingAtFreeze)}`);
  if (record.initProfile?.length) {
    const top = record.initProfile.slice(0, 5).map((entry) => `${entry.what} (line ${entry.line}) ${entry.ms.toFixed(1)} ms`);
    lines.push(`init profile, slowest first: ${top.join('; ')}`);
  }
  const estimate = describeEstimate(record.memoryEstimate, record.memorySizeMB);
  if (estimate) lines.push(`memory: ${estimate}`);
  const over = describeOverMemorySize(record);
  if (over) lines.push(`memory: ${over}`);
  // Names, file paths and the source text of init statements are the user's.
  return lines.map(terminalSafe);
}

/** `handler.js:7` from an absolute `file:line`. */
function shortPath(location: string): string {
  const slash = Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\'));
  return slash >= 0 ? location.slice(slash + 1) : location;
}

/**
 * The closing line of `warm-state invoke` when invocations kept growing state: what the last
 * invocation of each environment flagged (an environment is judged on its own invocations).
 */
export function invokeSummary(records: readonly InvocationRecord[], layout: Layout): string | null {
  const latest = latestPerEnvironment(records).filter((record) => record.growing.length > 0);
  if (latest.length === 0) return null;
  const several = new Set(records.map((record) => record.environment ?? 0)).size > 1;
  const growing = latest.flatMap((record) => record.growing.map((name) => (several ? `${name} (environment ${record.environment ?? 0})` : name)));
  const p = palette(layout.color);
  return p.red(`${growing.length === 1 ? '1 module-scope variable keeps' : `${growing.length} module-scope variables keep`} growing: ${terminalSafe(growing.join(', '))}`);
}

/** One cross-talk finding in a sentence: the variable, the worker, the three request ids and lines. */
export function crossTalkLine(finding: CrossTalkFinding): string {
  const id = (site: CrossTalkFinding['writer']): string => site.requestId.slice(0, 8);
  return (
    `cross-talk on ${finding.variable} in worker ${finding.worker}: request ${id(finding.writer)} set it at line ${finding.writer.line}, ` +
    `request ${id(finding.interloper)} set it at line ${finding.interloper.line} meanwhile, ` +
    `and request ${id(finding.reader)} read the other request's value at line ${finding.reader.line}`
  );
}
