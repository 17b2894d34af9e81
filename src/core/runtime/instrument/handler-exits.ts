/**
 * Where the handler leaves: its own `return` statements (not those of nested functions) and
 * the end of its body. V8's `type: 'return'` breakpoint locations miss returns inside
 * try/finally and for-of and hide block scopes; breaking at these source positions does not.
 */
import { parse, type Node as AcornNode } from 'acorn';
import { parameterNames, patternNames } from './patterns';

export interface SourcePosition {
  /** 0-based, as the inspector counts. */
  lineNumber: number;
  columnNumber: number;
}

export interface HandlerExit {
  position: SourcePosition;
  /**
   * let/const/class bindings of the blocks around this exit that are declared after it, so
   * still in their temporal dead zone when it is reached. V8's scope objects (and even
   * evaluation on the frame) show those as plain `undefined`, so it is worked out from the
   * source: without goto, reaching a position inside a block means no later declaration of
   * that block has run yet.
   */
  uninitialized: string[];
}

export interface HandlerExits {
  exits: HandlerExit[];
  parameters: string[];
  /**
   * Names still in their temporal dead zone at any position inside the handler's own code
   * (used when it stops at a throw, or at a call from which an exception came).
   */
  deadZoneAt(position: SourcePosition): string[];
}

export type AnyNode = AcornNode & Record<string, unknown>;

export const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function toOffset(starts: number[], position: SourcePosition): number {
  return (starts[position.lineNumber] ?? 0) + position.columnNumber;
}

export function toPosition(starts: number[], offset: number): SourcePosition {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { lineNumber: low, columnNumber: offset - (starts[low] ?? 0) };
}

/** Where a comment is in its source (acorn's offsets). */
export interface CommentRange {
  start: number;
  end: number;
}

/** Parses as a module, else as a script; comment ranges are pushed to `comments` when given. */
export function parseAny(source: string, comments?: CommentRange[]): AnyNode | null {
  for (const sourceType of ['module', 'script'] as const) {
    try {
      if (comments) comments.length = 0;
      return parse(source, {
        onComment: comments ? (_block, _text, start, end) => comments.push({ start, end }) : undefined,
        ecmaVersion: 'latest',
        sourceType,
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true,
        allowHashBang: true,
      }) as unknown as AnyNode;
    } catch {
      /* try the other source type */
    }
  }
  return null;
}

export function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object' && typeof (item as AnyNode).type === 'string') out.push(item as AnyNode);
    } else if (value && typeof value === 'object' && typeof (value as AnyNode).type === 'string') {
      out.push(value as AnyNode);
    }
  }
  return out;
}

/** The innermost function whose range holds `offset` (V8's function location is its start). */
export function findFunctionAt(root: AnyNode, offset: number): AnyNode | null {
  let best: AnyNode | null = null;
  const visit = (node: AnyNode): void => {
    if (node.start > offset || node.end <= offset) return;
    if (FUNCTION_TYPES.has(node.type)) best = node;
    for (const child of children(node)) visit(child);
  };
  visit(root);
  return best;
}

/** The handler's own return statements (not nested functions'), each with its ancestors. */
function ownReturns(node: AnyNode, ancestors: AnyNode[], out: Array<{ node: AnyNode; ancestors: AnyNode[] }>): void {
  const path = [...ancestors, node];
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type)) continue;
    if (child.type === 'ReturnStatement') out.push({ node: child, ancestors: path });
    ownReturns(child, path, out);
  }
}

function lexicalDeclarationsAfter(statements: AnyNode[], offset: number, out: string[]): void {
  for (const statement of statements) {
    // Declarations that end before the position have run; one that contains it is still
    // initialising (its bindings are initialised once their declarator completes).
    if (statement.end <= offset) continue;
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      for (const declaration of statement.declarations as AnyNode[]) {
        if (declaration.end > offset) patternNames(declaration.id as AnyNode, out);
      }
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      out.push((statement.id as AnyNode).name as string);
    }
  }
}

export function uninitializedAt(ancestors: AnyNode[], offset: number): string[] {
  const out: string[] = [];
  for (const ancestor of ancestors) {
    if (ancestor.type === 'BlockStatement' || ancestor.type === 'StaticBlock') lexicalDeclarationsAfter(ancestor.body as AnyNode[], offset, out);
    else if (ancestor.type === 'SwitchStatement') {
      // The whole switch body is one block.
      for (const switchCase of ancestor.cases as AnyNode[]) lexicalDeclarationsAfter(switchCase.consequent as AnyNode[], offset, out);
    }
  }
  return out;
}

/** The nodes of `fn`'s own code (nested functions excluded) that contain `offset`, outermost first. */
export function pathTo(fn: AnyNode, offset: number): AnyNode[] {
  const path: AnyNode[] = [];
  let node: AnyNode | undefined = fn.body as AnyNode;
  while (node && node.start <= offset && offset < node.end) {
    path.push(node);
    node = children(node).find((child) => !FUNCTION_TYPES.has(child.type) && child.start <= offset && offset < child.end);
  }
  return path;
}

/** Exit positions of the function starting at `location` in `source`, or null when not found. */
export function findHandlerExits(source: string, location: SourcePosition): HandlerExits | null {
  const root = parseAny(source);
  if (!root) return null;
  const starts = lineStarts(source);
  const fn = findFunctionAt(root, toOffset(starts, location));
  if (!fn) return null;
  const body = fn.body as AnyNode;
  const exits: HandlerExit[] = [];
  if (body.type === 'BlockStatement') {
    const returns: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    ownReturns(body, [], returns);
    for (const { node, ancestors } of returns) {
      exits.push({ position: toPosition(starts, node.start), uninitialized: uninitializedAt(ancestors, node.start) });
    }
    // Reaching the closing brace means every statement of the body ran.
    exits.push({ position: toPosition(starts, body.end - 1), uninitialized: [] });
  } else {
    exits.push({ position: toPosition(starts, body.start), uninitialized: [] });
  }
  const handlerFn: AnyNode = fn;
  return {
    exits,
    parameters: parameterNames(fn.params as AcornNode[]),
    deadZoneAt: (position) => {
      const offset = toOffset(starts, position);
      return uninitializedAt(pathTo(handlerFn, offset), offset);
    },
  };
}
