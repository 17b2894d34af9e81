/**
 * Handler-scope capture by source hooks: every function of the user's own files gets, in its
 * source text and without any new line (so every line number stays), an entry hook and a hook
 * at each capture site (capture-sites.ts), all calls on the hooks channel (hooks-channel.ts).
 * At run time (frame-hooks.ts) the entry hook names the function that received the
 * invocation's event first, and only that function's site hooks then do anything: each reads the frame's bindings by name into an array and hands it
 * over. Everything else costs one property read of the channel per function entry or site.
 *
 * Why not the debugger (DESIGN section 3, and this engine until it was measured): enabling the
 * inspector's Debugger domain makes V8 hash the source of every script already loaded (Node's
 * own 1.3 MB included), about 10 ms on every cold start, and a conditional breakpoint costs
 * 40-60 us per evaluation; a hook costs nanoseconds and needs no inspector at all.
 *
 * What the user can see of it: a hook in front of a statement that starts its own line goes
 * at the end of the code on the line before (after the previous token, before any comment),
 * so that line's columns do not move either; only a statement sharing its line with earlier
 * code (`if (x) return y;`) has its columns moved in stack traces. Line numbers never move.
 * `Function.prototype.toString()` of the user's functions shows the hooks.
 */
import { planFunctionSites, scriptRefusal, type CaptureSite } from './capture-sites';
import { children, FUNCTION_TYPES, lineStarts, type AnyNode, type CommentRange } from './handler-exits';

/**
 * Bounds on what the hooks may add. Statement records read every visible binding at every
 * statement: a function over this many reads (a long function with many variables, a
 * bundle's module wrapper) gets hooks at its exits and throws only. A file over the size
 * limit (a bundle with its dependencies inlined) gets no hooks at all: planning them would
 * take seconds.
 */
export const MAX_STATEMENT_READS = 5_000;
export const MAX_FRAMED_FILE_CHARS = 1_500_000;

/** A site as its hook call passes it, `reason|line|name:kind,name:kind|deadName,deadName` (decoded by site-descriptor.ts). */
export function encodeSite(site: CaptureSite): string {
  const bindings = site.bindings.map((binding) => `${binding.name}:${binding.kind}`).join(',');
  return `${site.reason}|${site.position.lineNumber + 1}|${bindings}|${site.uninitialized.join(',')}`;
}

interface Insertion {
  offset: number;
  /** Order among insertions at the same offset: lower first. */
  rank: number;
  text: string;
}

/** A parameter the entry hook can compare with the invocation's event or context, else the unknown marker. */
function parameterRead(param: AnyNode | undefined, G: string): string {
  if (param?.type === 'Identifier') return param.name as string;
  if (param?.type === 'AssignmentPattern' && (param.left as AnyNode).type === 'Identifier') return (param.left as AnyNode).name as string;
  return `${G}.unknown`;
}

function valuesRead(site: CaptureSite): string {
  const dead = new Set(site.uninitialized);
  return `[${site.bindings.filter((binding) => !dead.has(binding.name)).map((binding) => binding.name).join(',')}]`;
}

/** `x` serialises at once (exits, throws); `r` keeps references (statements). */
function hookCall(site: CaptureSite, key: string, G: string): string {
  const method = site.reason === 'statement' ? 'r' : 'x';
  const descriptor = JSON.stringify(encodeSite(site));
  // The leading `;` ends a previous statement written without one on the same line; the
  // try/catch turns a read that throws (a dead zone the static analysis missed) into a report.
  return `;if(${G}.h===${key})try{${G}.${method}(${descriptor},${valuesRead(site)})}catch{${G}.${method}(${descriptor},null)}`;
}

/** Where code meant for `offset` goes: after the previous token when that is on an earlier line. */
type Placement = (offset: number) => number;

function placementIn(code: string, comments: readonly CommentRange[]): Placement {
  const commentEndingAt = new Map<number, number>();
  for (const comment of comments) commentEndingAt.set(comment.end, comment.start);
  return (offset) => {
    let at = offset;
    for (;;) {
      if (at > 0 && /\s/.test(code[at - 1] ?? '')) at -= 1;
      else if (commentEndingAt.has(at)) at = commentEndingAt.get(at) as number;
      else break;
    }
    return /[\n\r\u2028\u2029]/.test(code.slice(at, offset)) ? at : offset;
  };
}

function functionInsertions(fn: AnyNode, key: string, starts: number[], depth: number, place: Placement, G: string, out: Insertion[]): void {
  const params = fn.params as AnyNode[];
  const body = fn.body as AnyNode;
  const { sites, statementsLeftOut } = planFunctionSites(fn, starts, MAX_STATEMENT_READS);
  // The fourth argument tells the hooks that a failure in a call cannot be shown for this function.
  const entry = `${G}.p&&${G}.enter(${key},${parameterRead(params[0], G)},${parameterRead(params[1], G)}${statementsLeftOut ? ',1' : ''})`;
  if (body.type !== 'BlockStatement') {
    const site = sites[0] as CaptureSite;
    const exit = `${G}.h===${key}&&${G}.x(${JSON.stringify(encodeSite(site))},${valuesRead(site)})`;
    out.push({ offset: body.start, rank: 10 + depth, text: `(${entry},${exit},` }, { offset: body.end, rank: -depth, text: ')' });
    return;
  }
  // After the directive prologue: a statement before 'use strict' would end it.
  const statements = body.body as AnyNode[];
  let entryAt = body.start + 1;
  for (const statement of statements) {
    if (statement.type !== 'ExpressionStatement' || typeof statement.directive !== 'string') break;
    entryAt = statement.end;
  }
  out.push({ offset: entryAt, rank: 1, text: `;${entry};` });
  for (const site of sites) {
    const hook = hookCall(site, key, G);
    const at = place(site.insert.start);
    if (site.insert.placement === 'body-end') {
      // After every closing there (a wrapped last statement, an arrow ending there) and after
      // the entry hook (an empty body).
      out.push({ offset: at, rank: 2, text: hook });
    } else if (site.insert.wrapEnd === null) {
      out.push({ offset: at, rank: 10 + depth, text: hook });
    } else {
      out.push({ offset: at, rank: 10 + depth, text: `{${hook};` }, { offset: site.insert.wrapEnd, rank: -depth, text: '}' });
    }
  }
}

export interface FrameInstrumentResult {
  code: string;
  /** Why this script got no hooks (it would be unsafe), else null. */
  refusal: string | null;
}

/**
 * `code` with hooks in every function of the parsed `root`, calling the hooks channel named
 * `hooks` (runtime-globals.ts). Function keys are `keyPrefix` plus a counter: they only need to
 * be unique within one process.
 */
export function instrumentFrames(code: string, root: AnyNode, keyPrefix: string, comments: readonly CommentRange[], hooks: string): FrameInstrumentResult {
  if (code.length > MAX_FRAMED_FILE_CHARS) {
    return { code, refusal: `the handler's file is too large to instrument (${(code.length / 1e6).toFixed(1)} MB, the limit is ${MAX_FRAMED_FILE_CHARS / 1e6} MB)` };
  }
  const refusal = scriptRefusal(root, hooks);
  if (refusal) return { code, refusal };
  const starts = lineStarts(code);
  const place = placementIn(code, comments);
  const insertions: Insertion[] = [];
  let count = 0;
  const visit = (node: AnyNode, depth: number): void => {
    let inner = depth;
    if (FUNCTION_TYPES.has(node.type)) {
      inner = depth + 1;
      functionInsertions(node, JSON.stringify(`${keyPrefix}${count++}`), starts, inner, place, hooks, insertions);
    }
    for (const child of children(node)) visit(child, inner);
  };
  visit(root, 0);
  // At one offset: closings first, the inner construct's first (ranks -depth; wraps of one
  // function all close with the same `}`), then the entry hook (1), the end-of-body hook (2),
  // openings outermost first.
  insertions.sort((a, b) => a.offset - b.offset || a.rank - b.rank);
  let out = '';
  let last = 0;
  for (const insertion of insertions) {
    out += code.slice(last, insertion.offset) + insertion.text;
    last = insertion.offset;
  }
  return { code: out + code.slice(last), refusal: null };
}
