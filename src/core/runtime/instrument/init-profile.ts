/**
 * Init profile: times each top-level statement of the handler module on a cold start. A mark
 * goes after each statement, on the line where that statement ends, so no line moves and no
 * statement that starts its line changes columns (stack traces keep the user's positions);
 * only the first mark, which cannot follow anything, goes before the first statement (after
 * the directive prologue, on its line). The last mark carries the statements' labels and lines.
 * ES modules evaluate their static imports before the body, in a time that also holds the
 * loader's own work here (and not on Lambda): they get no entry rather than a wrong one.
 */
import type { InitProfileLabel } from '../../model/snapshot';

interface StatementNode {
  type: string;
  start: number;
  end: number;
  directive?: string;
  [key: string]: unknown;
}

const LABEL_LENGTH = 60;

/** The marks call the hooks channel named `hooks` (runtime-globals.ts). */
export function instrumentInitProfile(code: string, body: readonly StatementNode[], hooks: string): string {
  const statements = body.filter((statement) => statement.type !== 'ImportDeclaration' && !statement.directive);
  if (statements.length === 0) return code;
  const lineOf = lineIndex(code);
  const labels: InitProfileLabel[] = statements.map((statement) => ({ what: labelOf(code, statement), line: lineOf(statement.start) }));
  const mark = (index: number) => `;${hooks}.profileMark(${index});`;
  // Inserted from the end so earlier offsets stay valid.
  let out = code;
  for (let index = statements.length - 1; index >= 0; index--) {
    const statement = statements[index];
    const text = index === statements.length - 1 ? `;${hooks}.profileEnd(${index + 1}, ${JSON.stringify(labels)});` : mark(index + 1);
    out = out.slice(0, statement.end) + text + out.slice(statement.end);
  }
  // After the directive prologue, on its line ('use strict' must stay first); else before the first statement.
  const directives = body.filter((statement) => statement.directive);
  const first = directives.length > 0 ? directives[directives.length - 1].end : statements[0].start;
  return out.slice(0, first) + mark(0) + out.slice(first);
}

/** `require('./db')` for a statement that requires, else its first line (cut). */
function labelOf(code: string, statement: StatementNode): string {
  const source = code.slice(statement.start, statement.end);
  const required = /\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/.exec(source);
  if (required && source.length < 400) return `require('${required[2]}')`;
  const firstLine = source.split('\n', 1)[0].trim();
  return firstLine.length > LABEL_LENGTH ? `${firstLine.slice(0, LABEL_LENGTH - 1)}…` : firstLine;
}

/** 1-based line of an offset (binary search over the offsets where lines start). */
function lineIndex(code: string): (offset: number) => number {
  const starts = [0];
  for (let index = code.indexOf('\n'); index >= 0; index = code.indexOf('\n', index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
