/** A config file's text in, its parsed value and file-level problems out. */
import { parseExpressionAt } from 'acorn';
import { parseConfigText } from './yaml-document';
import type { ConfigProblem, FunctionConfig } from './types';

export interface ConfigFileText {
  /** Absolute path. */
  file: string;
  /** How the file is named in messages and sources (relative to the scanned folder). */
  display: string;
  text: string;
}

export interface ConfigFileResult {
  functions: FunctionConfig[];
  /** File-level problems (syntax, unknown tags); function problems are on each function. */
  problems: ConfigProblem[];
  /** False when the file parsed but is not this kind of config (e.g. a template.json of another tool). */
  recognised: boolean;
  /** Ids of every declared function, for "resources found" messages. */
  ids: string[];
}

export interface ParsedConfig {
  /** Undefined when the file could not be parsed (then `problems` says why). */
  value: unknown;
  lineOf(path: readonly (string | number)[]): number;
  problems: ConfigProblem[];
}

/** Parse YAML or JSON (JSON strictly, since YAML would accept broken JSON). Never throws. */
export function parseConfigFile(input: ConfigFileText): ParsedConfig {
  const problems: ConfigProblem[] = [];
  if (/\.json$/i.test(input.file)) {
    const jsonError = strictJsonError(input.text);
    if (jsonError) {
      const where = jsonError.line ? `${input.display}:${jsonError.line}` : input.display;
      problems.push({ severity: 'error', file: input.file, line: jsonError.line, message: `${where}: invalid JSON (${jsonError.message}); its functions are ignored.` });
      return { value: undefined, lineOf: () => 1, problems };
    }
  }
  const parsed = parseConfigText(input.text);
  for (const error of parsed.errors) {
    problems.push({ severity: 'error', file: input.file, line: error.line, message: `${input.display}:${error.line}: ${error.message}; its functions are ignored.` });
  }
  for (const warning of parsed.warnings) {
    const unknownTag = /Unresolved tag: (\S+)/.exec(warning.message);
    const message = unknownTag
      ? `${input.display}:${warning.line}: unknown tag ${unknownTag[1]}; its value is read as plain text.`
      : `${input.display}:${warning.line}: ${warning.message}`;
    problems.push({ severity: 'warning', file: input.file, line: warning.line, message });
  }
  if (parsed.errors.length > 0) return { value: undefined, lineOf: parsed.lineOf, problems };
  return { value: parsed.value, lineOf: parsed.lineOf, problems };
}

function strictJsonError(text: string): { message: string; line?: number } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    if (position) return { message, line: text.slice(0, Number(position[1])).split('\n').length };
    return { message, line: jsLocation(text) };
  }
}

/**
 * Newer Node versions often omit the position of a JSON error; JSON is a JavaScript
 * expression, so acorn can point at the line instead (undefined when acorn accepts it).
 */
function jsLocation(text: string): number | undefined {
  try {
    parseExpressionAt(text, 0, { ecmaVersion: 'latest', locations: true });
    return undefined;
  } catch (err) {
    return (err as { loc?: { line: number } }).loc?.line;
  }
}
