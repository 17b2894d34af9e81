/**
 * Serverless Framework variables, resolved as far as a local run can know them:
 * `${self:path}`, `${opt:stage, 'dev'}` (options, then fallbacks), `${env:NAME}` (from the
 * env map the caller passes), `${sls:stage}`, `${aws:region}`. Others (`${ssm:...}`,
 * `${cf:...}`, `${file(...)}`, `${s3:...}`) stay in the text, visible and marked unresolved.
 */
import { isPlainObject } from './intrinsics';

export interface VariableContext {
  /** The whole serverless.yml, unresolved (what `${self:...}` reads). */
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** CLI-style options (`--stage`), normally empty for a workspace scan. */
  options: Record<string, string>;
}

export interface VariableResolution {
  value: unknown;
  /** True when some `${...}` could not be resolved (their text is left in strings). */
  unresolved: boolean;
}

const MAX_DEPTH = 12;
/** Marks an unresolved `${` so the innermost-first loop does not pick it up again. */
const HIDDEN_OPEN = '\u0000{';

export class ServerlessVariables {
  constructor(private readonly context: VariableContext) {}

  /** Resolve a value deeply (objects and arrays included). */
  resolve(value: unknown, depth = 0): VariableResolution {
    if (depth > MAX_DEPTH) return { value, unresolved: true };
    if (typeof value === 'string') return this.resolveString(value, depth);
    if (Array.isArray(value)) {
      let unresolved = false;
      const out = value.map((item) => {
        const r = this.resolve(item, depth + 1);
        unresolved ||= r.unresolved;
        return r.value;
      });
      return { value: out, unresolved };
    }
    if (isPlainObject(value)) {
      let unresolved = false;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const r = this.resolve(item, depth + 1);
        unresolved ||= r.unresolved;
        out[key] = r.value;
      }
      return { value: out, unresolved };
    }
    return { value, unresolved: false };
  }

  /** The deployment stage: `--stage`, else `provider.stage`, else Serverless's default `dev`. */
  stage(depth = 0): { value: string; known: boolean } {
    if (this.context.options.stage) return { value: this.context.options.stage, known: true };
    const provider = this.context.config.provider;
    if (isPlainObject(provider) && provider.stage !== undefined) {
      const r = this.resolve(provider.stage, depth + 1);
      if (!r.unresolved && (typeof r.value === 'string' || typeof r.value === 'number')) return { value: String(r.value), known: true };
      return { value: typeof r.value === 'string' ? restoreHidden(r.value) : 'dev', known: false };
    }
    return { value: 'dev', known: true };
  }

  private resolveString(text: string, depth: number): VariableResolution {
    let current = text;
    let unresolved = false;
    for (let guard = 0; guard < 100; guard++) {
      const match = /\$\{([^${}]*)\}/.exec(current);
      if (!match) break;
      const resolved = this.resolveExpression(match[1], depth);
      if (resolved === undefined) {
        unresolved = true;
        current = current.slice(0, match.index) + HIDDEN_OPEN + match[1] + '}' + current.slice(match.index + match[0].length);
        continue;
      }
      // A variable that is the whole string keeps its type (numbers, objects).
      if (match.index === 0 && match[0].length === current.length) {
        if (typeof resolved !== 'string') return { value: resolved, unresolved };
        current = resolved;
        continue;
      }
      if (typeof resolved === 'object' && resolved !== null) {
        unresolved = true;
        current = current.slice(0, match.index) + HIDDEN_OPEN + match[1] + '}' + current.slice(match.index + match[0].length);
        continue;
      }
      current = current.slice(0, match.index) + String(resolved) + current.slice(match.index + match[0].length);
    }
    return { value: restoreHidden(current), unresolved: unresolved || current.includes(HIDDEN_OPEN) };
  }

  /** `opt:stage, 'dev'`: the first part that resolves, else undefined. */
  private resolveExpression(expression: string, depth: number): unknown {
    for (const part of splitFallbacks(expression)) {
      const value = this.resolvePart(part.trim(), depth);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  }

  private resolvePart(part: string, depth: number): unknown {
    const quoted = /^(['"])(.*)\1$/s.exec(part);
    if (quoted) return quoted[2];
    if (/^-?\d+(\.\d+)?$/.test(part)) return Number(part);
    if (part === 'true' || part === 'false') return part === 'true';
    const colon = part.indexOf(':');
    if (colon < 0) return undefined;
    const source = part.slice(0, colon).trim();
    const address = part.slice(colon + 1).trim();
    switch (source) {
      case 'self': {
        const raw = address === '' ? this.context.config : getPath(this.context.config, address);
        if (raw === undefined) return undefined;
        const r = this.resolve(raw, depth + 1);
        return r.unresolved ? undefined : r.value;
      }
      case 'opt':
        return this.context.options[address];
      case 'env':
        return this.context.env[address];
      case 'sls':
        if (address === 'stage') {
          const stage = this.stage(depth + 1);
          return stage.known ? stage.value : undefined;
        }
        return undefined;
      case 'aws':
        if (address === 'region') {
          const region = getPath(this.context.config, 'provider.region');
          if (region === undefined) return 'us-east-1';
          const r = this.resolve(region, depth + 1);
          return r.unresolved ? undefined : r.value;
        }
        return undefined;
      default:
        return undefined;
    }
  }
}

/** Split `a, 'b, c', d` at commas outside quotes. */
function splitFallbacks(expression: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === ',') {
      parts.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expression.slice(start));
  return parts;
}

function getPath(root: unknown, address: string): unknown {
  let current: unknown = root;
  for (const key of address.split('.')) {
    if (key === '') continue;
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isPlainObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function restoreHidden(text: string): string {
  return text.split(HIDDEN_OPEN).join('${');
}
