/**
 * A capture site as the hooks see it at run time: a short string literal the instrumented
 * code passes with each hook call (so a site needs no registration that could be skipped),
 * `reason|line|name:kind,name:kind|deadName,deadName`. Binding names are JavaScript
 * identifiers, which never contain `|`, `,` or `:`. The values array the hook receives holds
 * the bindings in order, minus the dead-zone names (reading one would throw).
 */
import type { BindingKind } from '../../model/snapshot';
import type { CaptureSite, FrameBinding } from './capture-sites';

export interface SiteInfo {
  reason: CaptureSite['reason'];
  /** 1-based, for messages. */
  line: number;
  bindings: FrameBinding[];
  uninitialized: string[];
}

export function encodeSite(site: CaptureSite): string {
  const bindings = site.bindings.map((binding) => `${binding.name}:${binding.kind}`).join(',');
  return `${site.reason}|${site.position.lineNumber + 1}|${bindings}|${site.uninitialized.join(',')}`;
}

/**
 * Decodes with the given `split` and `toNumber` (the hooks pass ones made from built-ins saved
 * before any user code), using only index loops: user code may have replaced
 * String.prototype.split, Array.prototype.map, the array iterator or Number.
 */
export function decodeSite(text: string, split: (text: string, separator: string) => string[], toNumber: (text: string) => number): SiteInfo {
  const parts = split(text, '|');
  const pairs = parts[2] ? split(parts[2], ',') : [];
  const bindings: FrameBinding[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = split(pairs[i] ?? '', ':');
    bindings[i] = { name: pair[0] ?? '', kind: (pair[1] ?? 'local') as BindingKind };
  }
  return {
    reason: (parts[0] ?? 'exit') as CaptureSite['reason'],
    line: toNumber(parts[1] ?? '0'),
    bindings,
    uninitialized: parts[3] ? split(parts[3], ',') : [],
  };
}
