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
 * Decodes with the given `split` (the hooks pass one saved before any user code, since user
 * code may replace String.prototype.split).
 */
export function decodeSite(text: string, split: (text: string, separator: string) => string[]): SiteInfo {
  const [reason = 'exit', line = '0', bindings = '', dead = ''] = split(text, '|');
  return {
    reason: reason as CaptureSite['reason'],
    line: Number(line),
    bindings: bindings
      ? split(bindings, ',').map((pair) => {
          const [name = '', kind = 'local'] = split(pair, ':');
          return { name, kind: kind as BindingKind };
        })
      : [],
    uninitialized: dead ? split(dead, ',') : [],
  };
}
