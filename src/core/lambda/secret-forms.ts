/**
 * Every form in which a known secret value can reach what Warm State shows, derived once per
 * set of secrets: the value itself, as `JSON.stringify` and `console.log` escape it, upper- and
 * lower-cased, URL-encoded, hex, base64 and base64url (also where the secret sits inside a
 * longer base64 text, such as an `Authorization: Basic` header), and its bytes in a Buffer or
 * typed array. The masking policies (mask.ts) decide where to look; this module finds and hides.
 *
 * Length rules (docs/security.md#secrets): a value of 4 or 5 characters is masked as a whole
 * token only (never inside a longer word: `abcd` stays in `abcdef`), a longer one wherever it
 * occurs, and a value of 3 characters only where a whole string equals it. Flag words ("true",
 * "off") and numbers of up to 3 digits are settings, not secrets, and are never masked; a
 * number equal to a longer all-digit secret is (a PIN the handler parsed).
 */
import type { ValueNode } from '../model/snapshot';

export const MASK = '****';

/** Shorter values are masked only where a whole string equals them. */
const TOKEN_MIN = 4;
/** Values this long are masked wherever they occur; shorter ones (TOKEN_MIN up) as whole tokens. */
const ANYWHERE_MIN = 6;
/** Shorter values ("1", "on") are flags, not secrets. */
const WHOLE_MIN = 3;
const FLAG_WORD = /^(true|false|yes|no|on|off|none|null|undefined)$/i;
/** Numbers shorter than TOKEN_MIN digits are settings ("300" seconds, "100" items); longer ones may be PINs. */
const SHORT_NUMBER = /^\d{1,3}$/;
/** Part of a word: a token boundary is where one of these meets anything else. */
const WORD_CHAR = /[\p{L}\p{N}_]/u;
/** A cut string shows at least this much of a secret's beginning before it is hidden. */
const CUT_PREFIX_MIN = 4;
const MASK_BYTES: readonly number[] = [...Buffer.from(MASK)];

/** True when a secret-named variable's value is worth masking at all. */
export function isMaskableSecret(value: string): boolean {
  return value.length >= WHOLE_MIN && !FLAG_WORD.test(value) && !SHORT_NUMBER.test(value);
}

export class SecretForms {
  static readonly NONE = new SecretForms([]);

  /** Masked wherever they occur, longest first (a secret containing another is masked whole). */
  private readonly anywhere: string[];
  /** Masked where they stand as a whole token, longest first. */
  private readonly tokens: string[];
  /** Masked where a whole string equals them. */
  private readonly whole: Set<string>;
  /** The bytes of every form, masked wherever they occur in a byte preview. */
  private readonly byteForms: Uint8Array[];

  constructor(values: Iterable<string>) {
    const anywhere = new Set<string>();
    const tokens = new Set<string>();
    const whole = new Set<string>();
    for (const value of values) {
      if (!isMaskableSecret(value)) continue;
      whole.add(value);
      if (value.length < TOKEN_MIN) continue;
      const into = value.length >= ANYWHERE_MIN ? anywhere : tokens;
      for (const form of formsOf(value)) into.add(form);
    }
    for (const form of anywhere) tokens.delete(form);
    const longestFirst = (a: string, b: string): number => b.length - a.length;
    this.anywhere = [...anywhere].sort(longestFirst);
    this.tokens = [...tokens].sort(longestFirst);
    this.whole = whole;
    this.byteForms = [...this.anywhere, ...this.tokens].map((form) => new Uint8Array(Buffer.from(form)));
  }

  /** True when no value is known: then text is left alone and only names mask. */
  get isEmpty(): boolean {
    return this.whole.size === 0;
  }

  /** True when a whole string is one of the secret values. */
  isSecret(value: string): boolean {
    return this.whole.has(value);
  }

  /** True when a number prints as one of the secret values (an all-digit PIN parsed by the handler). */
  isSecretNumber(value: number | string): boolean {
    return this.whole.has(String(value));
  }

  /** Free text (logs, messages, stack traces) with every form of every secret masked. */
  text(text: string): string {
    let out = text;
    for (const form of this.anywhere) if (out.includes(form)) out = out.split(form).join(MASK);
    for (const token of this.tokens) if (out.includes(token)) out = maskWholeTokens(out, token);
    return out;
  }

  /** A captured string: whole-value match, forms inside it, and a secret's beginning left at a cut end. */
  string(value: string, truncated: boolean): string {
    if (this.whole.has(value)) return MASK;
    const out = this.text(value);
    return truncated ? this.cutEnd(out) : out;
  }

  /** The capture cut the string inside a secret: hide the part of it that made it in. */
  private cutEnd(text: string): string {
    if (text.length < CUT_PREFIX_MIN) return text;
    const tail = text.slice(-CUT_PREFIX_MIN);
    let longest = 0;
    for (const form of this.anywhere) {
      // Every place where the text's last characters occur in the form ends a candidate prefix.
      for (let at = form.indexOf(tail); at >= 0; at = form.indexOf(tail, at + 1)) {
        const length = at + CUT_PREFIX_MIN;
        if (length < form.length && length > longest && text.endsWith(form.slice(0, length))) longest = length;
      }
    }
    return longest > 0 ? text.slice(0, text.length - longest) + MASK : text;
  }

  /**
   * A Buffer, typed array, ArrayBuffer or DataView: bytes of a secret in its preview become the
   * bytes of `****`, as in text, and so does a secret's beginning where the preview is cut.
   * Only byte-sized elements (byteLength equal to length) hold bytes to compare.
   */
  binary<T extends Extract<ValueNode, { type: 'binary' }>>(node: T): T {
    if (this.byteForms.length === 0 || node.byteLength !== node.length || node.preview.length < CUT_PREFIX_MIN) return node;
    const bytes = node.preview.map((element) => element & 0xff);
    const out: number[] = [];
    let changed = false;
    for (let i = 0; i < bytes.length; ) {
      const form = this.byteForms.find((candidate) => startsAt(bytes, i, candidate, node.truncated));
      if (form) {
        out.push(...MASK_BYTES);
        i += form.length;
        changed = true;
      } else {
        out.push(node.preview[i]);
        i += 1;
      }
    }
    return changed ? { ...node, preview: out } : node;
  }
}

/**
 * True when `form` starts at `bytes[at]`; with `cut`, a form running past the end of the
 * preview matches by its first CUT_PREFIX_MIN or more bytes (the rest was not captured).
 */
function startsAt(bytes: readonly number[], at: number, form: Uint8Array, cut: boolean): boolean {
  const available = bytes.length - at;
  if (available < form.length && !(cut && available >= CUT_PREFIX_MIN)) return false;
  const length = Math.min(form.length, available);
  for (let k = 0; k < length; k++) if (bytes[at + k] !== form[k]) return false;
  return true;
}

/**
 * `text` with `form` masked where it stands as a whole token: a word character of the form's
 * own ends may not continue into the text around it (`zq7x` in `zq7x.` but not in `zq7xy`).
 */
function maskWholeTokens(text: string, form: string): string {
  const checkBefore = WORD_CHAR.test(form[0]);
  const checkAfter = WORD_CHAR.test(form[form.length - 1]);
  let out = '';
  let copied = 0;
  for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
    const end = at + form.length;
    if (at < copied) continue;
    if (checkBefore && isWordCharBefore(text, at)) continue;
    if (checkAfter && end < text.length && WORD_CHAR.test(String.fromCodePoint(text.codePointAt(end) ?? 0))) continue;
    out += text.slice(copied, at) + MASK;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The code point ending just before `at` (a surrogate pair read whole) is part of a word. */
function isWordCharBefore(text: string, at: number): boolean {
  if (at === 0) return false;
  const low = text.charCodeAt(at - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && at >= 2 ? at - 2 : at - 1;
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(start) ?? 0));
}

/** The value and every encoding of it that a handler's output plausibly contains. */
function formsOf(value: string): Set<string> {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>([value, value.toUpperCase(), value.toLowerCase()]);
  // As JSON.stringify and console.log of an object print it (quotes, backslashes escaped).
  forms.add(JSON.stringify(value).slice(1, -1));
  const url = encodeURIComponent(value);
  forms.add(url);
  forms.add(url.replace(/%20/g, '+'));
  forms.add(url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  const hex = bytes.toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  const base64 = bytes.toString('base64');
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ''));
  forms.add(bytes.toString('base64url'));
  if (value.length >= ANYWHERE_MIN) for (const core of base64Cores(bytes)) forms.add(core);
  return forms;
}

/**
 * The base64 characters that encode only the secret's own bits when it starts at each of the
 * three byte offsets of a longer text (`user:secret` in a Basic header, a secret inside JSON):
 * those characters appear in the encoding of the whole text whatever surrounds the secret.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]).toString('base64');
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length >= ANYWHERE_MIN) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}
