/**
 * A small, strict command-line flag parser shared by the deployed-mode commands
 * (`warm-state serve`, `warm-state invoke --function`). Strict on purpose: an unknown flag
 * or a flag missing its value is an error with the usage text, never silently ignored.
 */

export interface FlagSpec {
  /** Flags that take a value (`--port 9000` or `--port=9000`). Repeatable ones collect all values. */
  values: readonly string[];
  /** Flags that are switches (`--json`). */
  switches: readonly string[];
  /** Short aliases, e.g. `{ '-h': '--help' }`. */
  aliases?: Readonly<Record<string, string>>;
}

export interface ParsedFlags {
  /** Every value given for each value flag, in order. */
  values: Map<string, string[]>;
  switches: Set<string>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const result: ParsedFlags = { values: new Map(), switches: new Set(), positionals: [] };
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (arg === '--') {
      result.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      result.positionals.push(arg);
      continue;
    }
    let inlineValue: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inlineValue = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    arg = spec.aliases?.[arg] ?? arg;
    if (spec.switches.includes(arg)) {
      if (inlineValue !== undefined) throw new UsageError(`${arg} takes no value`);
      result.switches.add(arg);
    } else if (spec.values.includes(arg)) {
      const value = inlineValue ?? args[++i];
      if (value === undefined || (inlineValue === undefined && value.startsWith('--'))) {
        throw new UsageError(`${arg} needs a value`);
      }
      const list = result.values.get(arg) ?? [];
      list.push(value);
      result.values.set(arg, list);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  return result;
}

/** The last value given for a flag (later flags win, like most CLIs). */
export function lastValue(flags: ParsedFlags, name: string): string | undefined {
  const list = flags.values.get(name);
  return list?.[list.length - 1];
}

/** A whole number within bounds, or a UsageError naming the flag. */
export function integerFlag(flags: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const raw = lastValue(flags, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}
