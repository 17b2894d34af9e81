/**
 * Where and what to capture in a function's frame: the positions of its exits (its own
 * `return` statements and the end of its body), of its own `throw` statements and of the
 * statements where references are recorded in case a called function throws, each with the
 * bindings of the frame visible there (innermost first, shadowed names dropped, parameters
 * with kind 'parameter') and the let/const/class names still in their temporal dead zone.
 * frame-instrument.ts puts a hook at each site that reads these bindings BY NAME, so the list
 * must name only bindings that really resolve to the function's frame: that is why a script
 * with a `with` statement, or that declares the hook's own global name, gets no plan at all
 * rather than a hook that could run user code (a `with` object's getter) or miss.
 */
import type { BindingKind } from '../../model/snapshot';
import {
  children,
  FUNCTION_TYPES,
  pathTo,
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
   * 'exit': a return or the end of the body; 'throw': the function's own throw statement;
   * 'statement': any other statement of the function outside loops, where the hook only
   * keeps references (serialised only if an exception then leaves the function).
   */
  reason: 'exit' | 'throw' | 'statement';
  /**
   * Where the hook goes, as source offsets: before the statement (before its labels, if it
   * has any) at `start`; `wrapEnd` is set when that place is not in a statement list (`if (x)
   * return y;`), so the hook and the statement must be wrapped in a block ending there.
   * 'body-end' sites go right before the body's closing brace, 'expression' sites (the body
   * of an expression arrow) in front of the expression.
   */
  insert: { placement: 'statement' | 'body-end' | 'expression'; start: number; wrapEnd: number | null };
  bindings: FrameBinding[];
  /** Names in their temporal dead zone here (reading them would throw). */
  uninitialized: string[];
}


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
    // A directive ('use strict') must stay first in its body: nothing may go before it.
    const isDirective = child.type === 'ExpressionStatement' && typeof child.directive === 'string';
    if (isStatement && !isDirective && !NOT_RECORDED.has(child.type)) {
      const covered = previous !== null && !mayChangeBindings(previous, closuresAssign);
      if (!covered) out.push({ node: child, ancestors: path });
    }
    previous = STATEMENT_LISTS.has(node.type) && isStatement ? child : null;
    if (LOOPS.has(child.type)) continue;
    recordedStatements(child, path, closuresAssign, out);
  }
}

/** Parents in which a statement may be preceded by another one without a block around them. */
const LIST_PARENTS = new Set(['Program', 'BlockStatement', 'StaticBlock', 'SwitchCase']);

/**
 * Where the hook of a site at `node` goes: before the statement, or before its labels (a
 * `continue label` must still name a loop), wrapped in a block unless that place is in a
 * statement list.
 */
function statementInsert(node: AnyNode, ancestors: AnyNode[]): CaptureSite['insert'] {
  let target = node;
  let index = ancestors.length - 1;
  while (index >= 0 && ancestors[index]?.type === 'LabeledStatement') {
    target = ancestors[index] as AnyNode;
    index -= 1;
  }
  const parent = ancestors[index];
  const inList = parent !== undefined && LIST_PARENTS.has(parent.type);
  return { placement: 'statement', start: target.start, wrapEnd: inList ? null : target.end };
}

/** Why no function of this script may get hooks calling the channel `hooks`, or null. */
export function scriptRefusal(root: AnyNode, hooks: string): string | null {
  const declared = new Set<string>();
  const state = { usesWith: false };
  declaredNames(root, declared, state);
  if (state.usesWith) return 'the handler script uses a with statement';
  if (declared.has(hooks)) return `the handler script declares ${hooks}`;
  return null;
}

export interface FunctionSites {
  sites: CaptureSite[];
  /**
   * Set when the statement records were left out: they would read more bindings than
   * `maxStatementReads` (every statement reads every visible binding, so a long function
   * with many variables, like a bundle's module wrapper, would grow quadratically).
   */
  statementsLeftOut: boolean;
}

/** Capture sites of the function node `fn` of a script whose line starts are `starts`. */
export function planFunctionSites(fn: AnyNode, starts: number[], maxStatementReads = Infinity): FunctionSites {
  const body = fn.body as AnyNode;
  // A block's own declarations, listed once however many sites it holds.
  const blockNames = new Map<AnyNode, string[]>();
  const namesOf = (node: AnyNode, list: () => AnyNode[]): string[] => {
    let names = blockNames.get(node);
    if (!names) {
      names = [];
      lexicalNames(list(), names);
      blockNames.set(node, names);
    }
    return names;
  };
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
      let names: string[] = [];
      let kind: BindingKind = 'block';
      if (node.type === 'BlockStatement') names = namesOf(node, () => node.body as AnyNode[]);
      else if (node.type === 'SwitchStatement') names = namesOf(node, () => (node.cases as AnyNode[]).flatMap((switchCase) => switchCase.consequent as AnyNode[]));
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
  const siteAt = (node: AnyNode, reason: CaptureSite['reason'], ancestors: AnyNode[]): CaptureSite => ({
    position: toPosition(starts, node.start),
    reason,
    insert: statementInsert(node, ancestors),
    bindings: visibleAt(node.start),
    uninitialized: uninitializedAt(ancestors, node.start),
  });
  if (body.type === 'BlockStatement') {
    const returns: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    ownStatements(body, 'ReturnStatement', [], returns);
    for (const { node, ancestors } of returns) sites.push(siteAt(node, 'exit', ancestors));
    // Reaching the closing brace means every statement of the body ran.
    sites.push({
      position: toPosition(starts, body.end - 1),
      reason: 'exit',
      insert: { placement: 'body-end', start: body.end - 1, wrapEnd: null },
      bindings: visibleAt(body.start),
      uninitialized: [],
    });
    const throws: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    ownStatements(body, 'ThrowStatement', [], throws);
    for (const { node, ancestors } of throws) sites.push(siteAt(node, 'throw', ancestors));
    const statements: Array<{ node: AnyNode; ancestors: AnyNode[] }> = [];
    // Does any function nested in the handler assign (perhaps to a binding of the handler)?
    const closuresAssign = contains(body, (node) => FUNCTION_TYPES.has(node.type) && contains(node, assigns, true), true);
    recordedStatements(body, [], closuresAssign, statements);
    // At least the function's own bindings are visible at each statement: judged before
    // working out each site's list.
    if (statements.length * (functionScope.length + parameters.length) > maxStatementReads) return { sites, statementsLeftOut: true };
    let reads = 0;
    const recorded: CaptureSite[] = [];
    for (const { node, ancestors } of statements) {
      const site = siteAt(node, 'statement', ancestors);
      reads += site.bindings.length;
      if (reads > maxStatementReads) return { sites, statementsLeftOut: true };
      recorded.push(site);
    }
    sites.push(...recorded);
  } else {
    sites.push({
      position: toPosition(starts, body.start),
      reason: 'exit',
      insert: { placement: 'expression', start: body.start, wrapEnd: body.end },
      bindings: visibleAt(body.start),
      uninitialized: [],
    });
  }
  return { sites, statementsLeftOut: false };
}
