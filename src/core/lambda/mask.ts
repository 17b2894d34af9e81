/**
 * Keeps secrets out of everything Warm State prints or shows for deployed functions:
 * CLI output, the panel, logs. Masks by name (variables whose names look secret) and by
 * shape (AWS access key ids, signatures, session tokens), plus any literal secret values
 * the caller knows (the credentials the SDK resolved, secret-looking environment values) in
 * every form they can take (secret-forms.ts: encodings, bytes, short values as whole tokens).
 */
import type { CapturedVariable, PropertyNode, RawInvocation, ValueNode } from '../model/snapshot';
import { isMaskableSecret, MASK, SecretForms } from './secret-forms';

export { MASK, SecretForms };

/**
 * Names that look secret: the issue's `*SECRET*`, `*TOKEN*`, `*PASSWORD*`, `*KEY*`, plus
 * the spellings people use for the same things. Case-insensitive, anywhere in the name.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL|PRIVATE|AUTHORIZATION|(^|[_-])AUTH($|[_-])/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Copy of an environment-variable map with the values of secret-looking names masked. */
export function maskEnvironment(variables: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) out[name] = isSecretName(name) && value !== '' ? MASK : value;
  return out;
}

/** Literal secret values worth masking wherever they appear: secret-named variables' values (not flags such as "1" or "true"). */
export function secretValuesOf(variables: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (value !== undefined && isMaskableSecret(value) && isSecretName(name)) values.push(value);
  }
  return values;
}

const SHAPES: Array<[RegExp, string]> = [
  // AWS access key ids: long-term (AKIA) and temporary (ASIA) and others of the same form.
  [/\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, `$1${MASK}`],
  // SigV4 signatures and credential scopes in Authorization headers or presigned URLs.
  [/(Signature=)[0-9a-f]{64}/gi, `$1${MASK}`],
  [/(X-Amz-Security-Token[=:]\s*)[^\s&"',]+/gi, `$1${MASK}`],
  // NAME=value and NAME: value where NAME looks secret (env dumps, ini files, logs).
  [/\b([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)(?!\s)("[^"]*"|'[^']*'|[^\s,;&"'}]+)/g, 'NAMED'],
];

/** Masks secrets in free text (log tails, error messages, printed JSON): the known values in all their forms, then secret shapes. */
export function maskSecrets(text: string, known: SecretForms = SecretForms.NONE): string {
  return maskShapes(known.text(text));
}

/** Secret shapes in text: access key ids, signatures, tokens, NAME=value pairs with secret-looking names. */
function maskShapes(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SHAPES) {
    if (replacement === 'NAMED') {
      out = out.replace(pattern, (whole, name: string, separator: string, value: string) => {
        if (!isSecretName(name) || value === MASK || /^["']?\*{4}["']?$/.test(value)) return whole;
        const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
        return `${name}${separator}${quote}${MASK}${quote}`;
      });
    } else {
      out = out.replace(pattern, replacement);
    }
  }
  // JSON pairs "name": "value" are covered above only when unquoted; handle quoted names too.
  out = out.replace(/"([^"\\]{1,200})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, name: string, separator: string, value: string) =>
    isSecretName(name) && value !== '' && value !== MASK ? `"${name}"${separator}"${MASK}"` : whole,
  );
  return out;
}

/**
 * Masks a JSON-like value: properties whose names look secret lose their value, strings
 * are masked as text. Returns a new value; the input is not modified.
 */
export function maskJson(value: unknown, known: SecretForms = SecretForms.NONE): unknown {
  if (typeof value === 'string') return maskShapes(known.string(value, false));
  if (typeof value === 'number') return known.isSecretNumber(value) ? MASK : value;
  if (Array.isArray(value)) return value.map((item) => maskJson(item, known));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretName(key) && item !== null && item !== undefined && item !== '' ? MASK : maskJson(item, known);
    }
    return out;
  }
  return value;
}

/** A masked stand-in for a captured value: same shape family, no content. */
function maskedNode(): ValueNode {
  return { type: 'string', value: MASK, length: MASK.length, truncated: false };
}

/** Masks a captured value tree: secret-named properties/entries are hidden, strings are masked as text and byte previews as bytes. */
export function maskValueNode(node: ValueNode, known: SecretForms = SecretForms.NONE): ValueNode {
  switch (node.type) {
    case 'string': {
      const value = maskShapes(known.string(node.value, node.truncated));
      return value === node.value ? node : { ...node, value };
    }
    case 'number':
    case 'bigint':
      return known.isSecretNumber(node.value) ? maskedNode() : node;
    case 'binary':
      return known.binary(node);
    case 'array':
    case 'set':
      return { ...node, items: node.items.map((item) => maskValueNode(item, known)) };
    case 'object':
      return { ...node, properties: node.properties.map((p) => maskProperty(p, known)) };
    case 'map':
      return {
        ...node,
        entries: node.entries.map((entry) => ({
          key: entry.key,
          value: entry.key.type === 'string' && isSecretName(entry.key.value) ? maskedNode() : maskValueNode(entry.value, known),
        })),
      };
    case 'promise':
      return { ...node, value: node.value ? maskValueNode(node.value, known) : null };
    case 'error':
      return { ...node, message: maskSecrets(node.message, known), stack: node.stack === null ? null : maskSecrets(node.stack, known) };
    default:
      return node;
  }
}

function maskProperty(property: PropertyNode, known: SecretForms): PropertyNode {
  if (isSecretName(property.name) && isMaskable(property.value)) return { name: property.name, value: maskedNode() };
  return { name: property.name, value: maskValueNode(property.value, known) };
}

/** Empty and structural values carry no secret; masking them would only hide useful shape. */
function isMaskable(node: ValueNode): boolean {
  return !['undefined', 'null', 'function', 'accessor', 'uninitialized', 'proxy', 'weak', 'ref'].includes(node.type);
}

/** Masks captured variables: a secret-named variable's value is hidden, others are masked inside. */
export function maskCapturedVariables(variables: CapturedVariable[] | null, known: SecretForms = SecretForms.NONE): CapturedVariable[] | null {
  if (variables === null) return null;
  return variables.map((variable) => ({
    ...variable,
    value: isSecretName(variable.name) && isMaskable(variable.value) ? maskedNode() : maskValueNode(variable.value, known),
  }));
}

// ---------------------------------------------------------------------------------------------
// Local invocation records
//
// Local runs differ from deployed ones: the values to hide are known exactly (the environment
// the child was given), and the captured module state is the product (a growing `keys` Set
// must stay visible). So local masking hides strings, not structures: a secret-named binding
// or property loses its string (or bytes) value, any string equal to or containing a known
// secret value (in any of its forms, secret-forms.ts) is masked, so are byte previews that hold
// one, and text (logs, error message and trace) loses the known values.
// No shape guessing on text: it would garble users' own data for no known secret.
// It runs on every invocation, so it copies only what changes and memoises name tests.

const secretNameMemo = new Map<string, boolean>();
function isSecretNameMemo(name: string): boolean {
  let secret = secretNameMemo.get(name);
  if (secret === undefined) {
    secret = SECRET_NAME.test(name);
    // Names repeat across records (same variables, same property names); bound it anyway.
    if (secretNameMemo.size > 10000) secretNameMemo.clear();
    secretNameMemo.set(name, secret);
  }
  return secret;
}

/** Masks local invocation records against the secret values of the environment the child got. */
export class SecretMasker {
  private readonly forms: SecretForms;

  constructor(secretValues: Iterable<string>) {
    this.forms = new SecretForms(secretValues);
  }

  /** The values of the secret-looking variables of an environment (names per isSecretName). */
  static fromEnvironment(variables: Readonly<Record<string, string | undefined>>): SecretMasker {
    const values: string[] = [];
    for (const [name, value] of Object.entries(variables)) if (value !== undefined && isSecretNameMemo(name)) values.push(value);
    return new SecretMasker(values);
  }

  /** True when some value is known; without one, text is left alone and only names mask. */
  get hasSecrets(): boolean {
    return !this.forms.isEmpty;
  }

  /** Free text (logs, messages, stack traces) with the known values masked, in every form. */
  text(text: string): string {
    return this.forms.text(text);
  }

  /** A captured value; returns the same node when nothing in it changed. */
  value(node: ValueNode): ValueNode {
    switch (node.type) {
      case 'string': {
        if (!this.hasSecrets) return node;
        const value = this.forms.string(node.value, node.truncated);
        return value === node.value ? node : { ...node, value };
      }
      case 'number':
      case 'bigint':
        return this.forms.isSecretNumber(node.value) ? maskedNode() : node;
      case 'binary':
        return this.forms.binary(node);
      case 'array':
      case 'set': {
        const items = this.list(node.items, (item) => this.value(item));
        return items === node.items ? node : { ...node, items };
      }
      case 'object': {
        const properties = this.list(node.properties, (property) => {
          const value = this.named(property.name, property.value);
          return value === property.value ? property : { name: property.name, value };
        });
        return properties === node.properties ? node : { ...node, properties };
      }
      case 'map': {
        const entries = this.list(node.entries, (entry) => {
          const value = entry.key.type === 'string' ? this.named(entry.key.value, entry.value) : this.value(entry.value);
          const key = this.value(entry.key);
          return value === entry.value && key === entry.key ? entry : { key, value };
        });
        return entries === node.entries ? node : { ...node, entries };
      }
      case 'promise': {
        const value = node.value && this.value(node.value);
        return value === node.value ? node : { ...node, value };
      }
      case 'error': {
        if (!this.hasSecrets) return node;
        const message = this.text(node.message);
        const stack = node.stack === null ? null : this.text(node.stack);
        return message === node.message && stack === node.stack ? node : { ...node, message, stack };
      }
      default:
        return node;
    }
  }

  /** A value under a name: a secret-looking name hides a string or bytes whole; structures stay visible, masked inside. */
  private named(name: string, node: ValueNode): ValueNode {
    if ((node.type === 'string' || node.type === 'binary') && isSecretNameMemo(name) && !(node.type === 'string' && (node.value === '' || node.value === MASK))) {
      return maskedNode();
    }
    return this.value(node);
  }

  /** Captured variables, masked like properties of an object. */
  variables(variables: CapturedVariable[] | null): CapturedVariable[] | null {
    if (variables === null) return null;
    return this.list(variables, (variable) => {
      const value = this.named(variable.name, variable.value);
      return value === variable.value ? variable : { ...variable, value };
    });
  }

  /** A JSON value (the handler's response): secret-named string properties hidden, strings masked. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.hasSecrets ? this.forms.string(value, false) : value;
    if (typeof value === 'number') return this.forms.isSecretNumber(value) ? MASK : value;
    if (Array.isArray(value)) return this.list(value as unknown[], (item) => this.json(item));
    if (value !== null && typeof value === 'object') {
      let out: Record<string, unknown> | null = null;
      for (const [key, item] of Object.entries(value)) {
        const masked = typeof item === 'string' && item !== '' && isSecretNameMemo(key) ? MASK : this.json(item);
        if (masked !== item) out ??= { ...(value as Record<string, unknown>) };
        if (out) out[key] = masked;
      }
      return out ?? value;
    }
    return value;
  }

  /** A whole invocation as an engine reported it; unchanged parts are shared, not copied. */
  invocation(raw: RawInvocation): RawInvocation {
    return {
      ...raw,
      response: this.json(raw.response),
      error: raw.error && this.hasSecrets
        ? { errorType: raw.error.errorType, errorMessage: this.text(raw.error.errorMessage), trace: raw.error.trace.map((line) => this.text(line)) }
        : raw.error,
      logs: this.hasSecrets ? this.text(raw.logs) : raw.logs,
      captureError: raw.captureError !== null && this.hasSecrets ? this.text(raw.captureError) : raw.captureError,
      moduleScope: this.variables(raw.moduleScope),
      handlerScope: this.variables(raw.handlerScope),
      parameters: this.variables(raw.parameters),
    };
  }

  /** Maps a list, returning the same array when no item changed. */
  private list<T>(items: T[], map: (item: T) => T): T[] {
    let out: T[] | null = null;
    for (let i = 0; i < items.length; i++) {
      const mapped = map(items[i]);
      if (mapped !== items[i] && out === null) out = items.slice(0, i);
      if (out !== null) out.push(mapped);
    }
    return out ?? items;
  }
}
