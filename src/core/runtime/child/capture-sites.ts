/**
 * Where and what to capture in the handler's frame without ever pausing it: the positions of
 * the handler's exits (its own `return` statements and the end of its body), of its own
 * `throw` statements and of the statements where references are recorded in case a called
 * function throws, each with the bindings of the frame visible there (innermost first,
 * shadowed names dropped, parameters with kind 'parameter') and the let/const/class names
 * still in their temporal dead zone. A conditional breakpoint at each site reads these
 * bindings BY NAME in the frame (see condition-capture.ts), so the list must name only
 * bindings that really resolve to the handler's frame: that is why a script with a `with`
 * statement, or that declares `globalThis` or `Symbol` (names the condition itself uses), gets
 * no plan at all rather than a condition that could run user code.
 */
import type { BindingKind } from '../../model/snapshot';
import {
  children,
  findFunctionAt,
  FUNCTION_TYPES,
  lineStarts,
  parseAny,
  pathTo,
  toOffset,
  toPosition,
  uninitializedAt,
  type AnyNode,
  type SourcePosition,
} from './handler-exits';
import { parameterNames, patternNames } from './patterns';

export interface FrameBinding {
  name: string;
  kind: BindingKind;
}

export interface CaptureSite {
  position: SourcePosition;
  /**
   * 'exit': a return or the end of the body; 'throw': the handler's own throw statement;
   * 'statement': any other statement of the handler outside loops, where the condition only
   * keeps references (serialised only if an exception then leaves the handler).
   */
  reason: 'exit' | 'throw' | 'statement';
  /**
   * Where V8 may put this site's breakpoint instead (a declaration breaks at its first
   * initialiser, `return a.b` at the property load): [start, end) in 0-based lines and
   * columns, a part of the statement holding no nested scope, so the same bindings are in
   * scope anywhere in it. Absent: the exact position only.
   */
  accept?: { start: SourcePosition; end: SourcePosition };
  bindings: FrameBinding[];
  /** Names in their temporal dead zone here (they read as undefined in the frame). */
  uninitialized: string[];
}

export type CapturePlan = { sites: CaptureSite[]; error: null } | { sites: null; error: string };

/** Identifiers the breakpoint condition looks up; a script that declares one would capture them. */
const CONDITION_GLOBALS = new Set(['globalThis', 'Symbol']);

function declaredNames(node: AnyNode, out: Set<string>, state: { usesWith: boolean }): void {
  const add = (pattern: AnyNode | null | undefined): void => {
    const names: string[] = [];
    patternNames(pattern, names);
    for (const name of names) out.add(name);
  };
  switch (node.type) {
    case 'WithStatement':
      state.usesWith = true;
      break;
    case 'VariableDeclarator':
      add(node.id as AnyNode);
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      add(node.id as AnyNode | null);
      for (const param of node.params as AnyNode[]) add(param);
      break;
    case 'ClassDeclaration':
    case 'ClassExpression':
      add(node.id as AnyNode | null);
      break;
    case 'CatchClause':
      add(node.param as AnyNode | null);
      break;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      add(node.local as AnyNode);
      break;
    default:
      break;
  }
  for (const child of children(node)) declaredNames(child, out, state);
}

/** let/const/class/function declared directly in a statement list. */
function lexicalNames(statements: AnyNode[], out: string[]): void {
  for (const statement of statements) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      for (const declaration of statement.declarations as AnyNode[]) patternNames(declaration.id as AnyNode, out);
    } else if ((statement.type === 'ClassDeclaration' || statement.type === 'FunctionDeclaration') && statement.id) {
      out.push((statement.id as AnyNode).name as string);
    }
  }
}

/** `var` names of the function's own code (nested functions excluded), and whether it reads `arguments`. */
function ownVars(node: AnyNode, out: string[], state: { readsArguments: boolean }): void {
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type)) continue;
    if (child.type === 'VariableDeclaration' && child.kind === 'var') {
      for (const declaration of child.declarations as AnyNode[]) patternNames(declaration.id as AnyNode, out);
    } else if (child.type === 'Identifier' && child.name === 'arguments') {
      state.readsArguments = true;
    }
    ownVars(child, out, state);
  }
}

/** The handler's own statements of one type, each with its ancestors inside the function. */
function ownStatements(node: AnyNode, type: string, ancestors: AnyNode[], out: Array<{ node: AnyNode; ancestors: AnyNode[] }>): void {
  const path = [...ancestors, node];
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type)) continue;
    if (child.type === type) out.push({ node: child, ancestors: path });
    ownStatements(child, type, path, out);
  }
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
/** Statements that evaluate nothing of their own, or that have their own sites. */
const NOT_RECORDED = new Set(['BlockStatement', 'EmptyStatement', 'ReturnStatement', 'ThrowStatement', 'FunctionDeclaration', 'ClassDeclaration', 'TryStatement', 'LabeledStatement', 'DebuggerStatement']);

const STATEMENT_LISTS = new Set(['BlockStatement', 'SwitchCase']);

/** Whether `node` (nested functions excluded unless `intoFunctions`) holds a node matching `test`. */
function contains(node: AnyNode, test: (node: AnyNode) => boolean, intoFunctions = false): boolean {
  return children(node).some((child) => test(child) || ((intoFunctions || !FUNCTION_TYPES.has(child.type)) && contains(child, test, intoFunctions)));
}

const assigns = (node: AnyNode): boolean => node.type === 'AssignmentExpression' || node.type === 'UpdateExpression';
const callsOrWaits = (node: AnyNode): boolean =>
  node.type === 'CallExpression' || node.type === 'NewExpression' || node.type === 'TaggedTemplateExpression' || node.type === 'AwaitExpression' || node.type === 'YieldExpression';

/**
 * Whether the frame's bindings may hold other values after `statement` ran. A plain
 * expression statement that assigns nothing (and, when some nested function assigns, calls
 * nothing) leaves them as they were: the record taken before it still holds for the next one.
 */
function mayChangeBindings(statement: AnyNode, closuresAssign: boolean): boolean {
  if (statement.type !== 'ExpressionStatement') return true;
  if (contains(statement, assigns)) return true;
  if (contains(statement, (node) => node.type === 'CallExpression' && (node.callee as AnyNode).type === 'Identifier' && (node.callee as AnyNode).name === 'eval')) return true;
  return closuresAssign && contains(statement, callsOrWaits);
}

/**
 * The handler's own statements where references are recorded, each with its ancestors.
 * Nothing inside a loop: a condition there would cost once per iteration (the loop statement
 * itself is recorded); nothing inside a class body (a static block is a scope of its own).
 * Each condition costs tens of microseconds, so a statement that follows one leaving the
 * bindings unchanged in the same list is not recorded: the earlier record stands for it.
 */
function recordedStatements(node: AnyNode, ancestors: AnyNode[], closuresAssign: boolean, out: Array<{ node: AnyNode; ancestors: AnyNode[] }>): void {
  const path = [...ancestors, node];
  let previous: AnyNode | null = null;
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type) || child.type === 'ClassBody') continue;
    const isStatement = /(Statement|Declaration)$/.test(child.type);
    if (isStatement && !NOT_RECORDED.has(child.type)) {
      const covered = previous !== null && !mayChangeBindings(previous, closuresAssign);
      if (!covered) out.push({ node: child, ancestors: path });
    }
    previous = STATEMENT_LISTS.has(node.type) && isStatement ? child : null;
    if (LOOPS.has(child.type)) continue;
    recordedStatements(child, path, closuresAssign, out);
  }
}

function containsFunction(node: AnyNode): boolean {
  return children(node).some((child) => FUNCTION_TYPES.has(child.type) || child.type === 'ClassExpression' || containsFunction(child));
}

/** The part of a statement where V8 may break for it instead of its start (see CaptureSite.accept), as offsets. */
function acceptedRange(node: AnyNode): { start: number; end: number } | null {
  switch (node.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
    case 'ExpressionStatement':
    case 'VariableDeclaration':
      return containsFunction(node) ? null : { start: node.start, end: node.end };
    case 'IfStatement':
      return containsFunction(node.test as AnyNode) ? null : { start: node.start, end: (node.test as AnyNode).end };
    // Loops: only a part of the head evaluated once (the init, the iterated object), never
    // the test or the next value, which would cost once per iteration.
    case 'ForStatement': {
      const init = node.init as AnyNode | null;
      return init && !containsFunction(init) && !containsFunction({ type: 'Holder', init } as unknown as AnyNode) ? { start: node.start, end: init.end } : null;
    }
    case 'ForInStatement':
    case 'ForOfStatement': {
      const right = node.right as AnyNode;
      return containsFunction({ type: 'Holder', right } as unknown as AnyNode) ? null : { start: right.start, end: right.end };
    }
    case 'SwitchStatement':
      return containsFunction(node.discriminant as AnyNode) ? null : { start: node.start, end: (node.discriminant as AnyNode).end };
    default:
      return null;
  }
}

/** Capture sites of the function starting at `location` in `source`. */
export function planCaptureSites(source: string, location: SourcePosition): CapturePlan {
  const root = parseAny(source);
  if (!root) return { sites: null, error: 'the handler script could not be parsed' };
  const starts = lineStarts(source);
  const fn = findFunctionAt(root, toOffset(starts, location));
  if (!fn) return { sites: null, error: 'could not find the handler function in its script' };
  const declared = new Set<string>();
  const state = { usesWith: false };
  declaredNames(root, declared, state);
  if (state.usesWith) return { sites: null, error: 'the handler script uses a with statement' };
  for (const name of CONDITION_GLOBALS) {
    if (declared.has(name)) return { sites: null, error: `the handler script declares ${name}` };
  }

  const body = fn.body as AnyNode;
  const parameters = parameterNames(fn.params as AnyNode[]);
  const functionScope: FrameBinding[] = [];
  {
    const names: string[] = [];
    if (body.type === 'BlockStatement') lexicalNames(body.body as AnyNode[], names);
    const vars: string[] = [];
    const uses = { readsArguments: false };
    if (body.type === 'BlockStatement') ownVars(body, vars, uses);
    else ownVars({ type: 'ExpressionStatement', expression: body } as unknown as AnyNode, vars, uses);
    const seen = new Set(parameters);
    for (const name of [...names, ...vars]) {
      if (seen.has(name)) continue;
      seen.add(name);
      functionScope.push({ name, kind: 'local' });
    }
    // V8 lists `arguments` in the local scope of a (non-arrow) function that uses it.
    if (uses.readsArguments && fn.type !== 'ArrowFunctionExpression' && !seen.has('arguments')) functionScope.push({ name: 'arguments', kind: 'local' });
  }

  const visibleAt = (offset: number): FrameBinding[] => {
    const result: FrameBinding[] = [];
    const seen = new Set<string>();
    const add = (name: string, kind: BindingKind): void => {
      if (seen.has(name)) return;
      seen.add(name);
      result.push({ name, kind });
    };
    const path = pathTo(fn, offset);
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i];
      if (node === body) break;
      // The statement at the site itself (a loop's own `let`) is not in scope yet.
      if (node.start === offset) continue;
      const names: string[] = [];
      let kind: BindingKind = 'block';
      if (node.type === 'BlockStatement') lexicalNames(node.body as AnyNode[], names);
      else if (node.type === 'SwitchStatement') for (const switchCase of node.cases as AnyNode[]) lexicalNames(switchCase.consequent as AnyNode[], names);
      else if (node.type === 'ForStatement' || node.type === 'ForInStatement' || node.type === 'ForOfStatement') {
        const head = (node.type === 'ForStatement' ? node.init : node.left) as AnyNode | null;
        if (head?.type === 'VariableDeclaration' && head.kind !== 'var') lexicalNames([head], names);
      } else if (node.type === 'CatchClause' && node.param) {
        patternNames(node.param as AnyNode, names);
        kind = 'catch';
      }
      for (const name of names) add(name, kind);
    }
    for (const binding of functionScope) add(binding.name, binding.kind);
    for (const name of parameters) add(name, 'parameter');
    return result;
  };

  const sites: CaptureSite[] = [];
  const siteAt = (node: AnyNode, reason: CaptureSite['reason'], ancestors: AnyNode[]): CaptureSite => {
    const site: CaptureSite = { position: toPosition(starts, node.start), reason, bindings: visibleAt(node.start), uninitialized: uninitializedAt(ancestors, node.start) };
    const range = acceptedRange(node);
    if (range) site.accept = { start: toPosition(starts, range.start), end: toPosition(starts, range.end) };
    return site;
  };
  if (body.type === 'BlockStatement') {
    const returns: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    ownStatements(body, 'ReturnStatement', [], returns);
    for (const { node, ancestors } of returns) sites.push(siteAt(node, 'exit', ancestors));
    // Reaching the closing brace means every statement of the body ran.
    sites.push({ position: toPosition(starts, body.end - 1), reason: 'exit', bindings: visibleAt(body.start), uninitialized: [] });
    const throws: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    ownStatements(body, 'ThrowStatement', [], throws);
    for (const { node, ancestors } of throws) sites.push(siteAt(node, 'throw', ancestors));
    const statements: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    // Does any function nested in the handler assign (perhaps to a binding of the handler)?
    const closuresAssign = contains(body, (node) => FUNCTION_TYPES.has(node.type) && contains(node, assigns, true), true);
    recordedStatements(body, [], closuresAssign, statements);
    for (const { node, ancestors } of statements) sites.push(siteAt(node, 'statement', ancestors));
  } else {
    sites.push({ position: toPosition(starts, body.start), reason: 'exit', bindings: visibleAt(body.start), uninitialized: [] });
  }
  return { sites, error: null };
}
