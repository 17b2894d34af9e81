/**
 * A capture site as the hooks see it at run time: a short string literal the instrumented
 * code passes with each hook call (so a site needs no registration that could be skipped),
 * `reason|line|name:kind,name:kind|deadName,deadName`. Binding names are JavaScript
 * identifiers, which never contain `|`, `,` or `:`. The values array the hook receives holds
 * the bindings in order, minus the dead-zone names (reading one would throw). Written by
 * `encodeSite` (frame-instrument.ts), which stays out of this module: the instrumenter is a
 * bundle of its own in the child (dist/child/instrument.js), loaded late, and must not carry a
 * second copy of the built-ins saved here (intrinsics.ts).
 */
import type { BindingKind } from '../../model/snapshot';
import type { CaptureSite, FrameBinding } from './capture-sites';
import { append, itemAt, NumberCtor, splitText } from '../child/services/intrinsics';

export interface SiteInfo {
  reason: CaptureSite['reason'];
  /** 1-based, for messages. */
  line: number;
  bindings: FrameBinding[];
  uninitialized: string[];
}

/**
 * Decodes at run time, inside the user's process, after user code loaded: only with the built-ins
 * saved before it (intrinsics.ts), index reads of own elements and `append`, since user code may
 * have replaced String.prototype.split, Number, the array iterator or put index accessors on
 * Array.prototype.
 */
export function decodeSite(text: string): SiteInfo {
  const parts = splitText(text, '|');
  const bindingText = itemAt(parts, 2) ?? '';
  const deadText = itemAt(parts, 3) ?? '';
  const pairs = bindingText ? splitText(bindingText, ',') : [];
  const bindings: FrameBinding[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = splitText(itemAt(pairs, i) ?? '', ':');
    append(bindings, { name: itemAt(pair, 0) ?? '', kind: (itemAt(pair, 1) ?? 'local') as BindingKind });
  }
  return {
    reason: (itemAt(parts, 0) ?? 'exit') as CaptureSite['reason'],
    line: NumberCtor(itemAt(parts, 1) ?? '0'),
    bindings,
    uninitialized: deadText ? splitText(deadText, ',') : [],
  };
}
