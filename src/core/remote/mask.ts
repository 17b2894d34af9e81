/**
 * Keeps secrets out of everything Warm State prints or shows for deployed functions:
 * CLI output, the panel, logs. Masks by name (variables whose names look secret) and by
 * shape (AWS access key ids, signatures, session tokens), plus any literal secret values
 * the caller knows (the credentials the SDK resolved, secret-looking environment values).
 */
import type { CapturedVariable, PropertyNode, ValueNode } from '../model/snapshot';

export const MASK = '****';

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

/** Literal secret values worth masking wherever they appear: secret-named variables' values. */
export function secretValuesOf(variables: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    // Short values ("1", "true") would mask unrelated text; real secrets are longer.
    if (value !== undefined && value.length >= 6 && isSecretName(name)) values.push(value);
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

/** Masks secrets in free text (log tails, error messages, printed JSON). */
export function maskSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...new Set(knownSecrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
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
export function maskJson(value: unknown, knownSecrets: readonly string[] = []): unknown {
  if (typeof value === 'string') return maskSecrets(value, knownSecrets);
  if (Array.isArray(value)) return value.map((item) => maskJson(item, knownSecrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretName(key) && item !== null && item !== undefined && item !== '' ? MASK : maskJson(item, knownSecrets);
    }
    return out;
  }
  return value;
}

/** A masked stand-in for a captured value: same shape family, no content. */
function maskedNode(): ValueNode {
  return { type: 'string', value: MASK, length: MASK.length, truncated: false };
}

/** Masks a captured value tree: secret-named properties/entries are hidden and strings are masked as text. */
export function maskValueNode(node: ValueNode, knownSecrets: readonly string[] = []): ValueNode {
  switch (node.type) {
    case 'string': {
      const value = maskSecrets(node.value, knownSecrets);
      return value === node.value ? node : { ...node, value };
    }
    case 'array':
    case 'set':
      return { ...node, items: node.items.map((item) => maskValueNode(item, knownSecrets)) };
    case 'object':
      return { ...node, properties: node.properties.map((p) => maskProperty(p, knownSecrets)) };
    case 'map':
      return {
        ...node,
        entries: node.entries.map((entry) => ({
          key: entry.key,
          value: entry.key.type === 'string' && isSecretName(entry.key.value) ? maskedNode() : maskValueNode(entry.value, knownSecrets),
        })),
      };
    case 'promise':
      return { ...node, value: node.value ? maskValueNode(node.value, knownSecrets) : null };
    case 'error':
      return { ...node, message: maskSecrets(node.message, knownSecrets), stack: node.stack === null ? null : maskSecrets(node.stack, knownSecrets) };
    default:
      return node;
  }
}

function maskProperty(property: PropertyNode, knownSecrets: readonly string[]): PropertyNode {
  if (isSecretName(property.name) && isMaskable(property.value)) return { name: property.name, value: maskedNode() };
  return { name: property.name, value: maskValueNode(property.value, knownSecrets) };
}

/** Empty and structural values carry no secret; masking them would only hide useful shape. */
function isMaskable(node: ValueNode): boolean {
  return !['undefined', 'null', 'function', 'accessor', 'uninitialized', 'proxy', 'weak', 'ref'].includes(node.type);
}

/** Masks captured variables: a secret-named variable's value is hidden, others are masked inside. */
export function maskCapturedVariables(variables: CapturedVariable[] | null, knownSecrets: readonly string[] = []): CapturedVariable[] | null {
  if (variables === null) return null;
  return variables.map((variable) => ({
    ...variable,
    value: isSecretName(variable.name) && isMaskable(variable.value) ? maskedNode() : maskValueNode(variable.value, knownSecrets),
  }));
}
