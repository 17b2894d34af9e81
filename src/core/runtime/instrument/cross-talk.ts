/**
 * Cross-talk instrumentation (issue 12, Managed Instances): inside the functions of the handler
 * module (never its top-level init code), every access to a module-scope binding that is not
 * shadowed there is reported to the runtime tracker (child/services/cross-talk.ts) by a call on
 * the hooks channel, with a site id; the site table (path, line, kind) is handed over once, by a
 * call appended after the module's last line.
 *
 * What a site is:
 * - a write: `x = v`, `x.a.b = v` (static property names, MAX_PATH_DEPTH at most, deeper
 *   writes count as the prefix), destructuring targets (`[x, y] = v`), `delete x.a`: SET;
 *   `x++`, `x += v`, `x.a ||= v`: UPDATE (write only: no await can come between its read and
 *   its write). An update whose right side awaits also reads the path where it starts.
 * - a read: `x`, `x.a.b`: the longest static path read. A call reads the path of its object
 *   (`x.a.push(v)` and `x.a.f()` read `x.a`), and so does a write through a computed member
 *   (`x.a[k] = v` reads `x.a`): computed members (`x[k]`) are never part of a path.
 * Not tracked: imports (read-only; a write to a property of an imported object is missed),
 * `for (x of ...)` heads, class field initialisers of top-level classes, writes made by other
 * modules. Reads of paths that no function of the file writes (an SDK client, an
 * AsyncLocalStorage) get no hook at all, nor do writes of paths no function reads: they can be
 * part of no finding.
 *
 * How the calls go in without changing what the code does: a read passes the root binding
 * through the hook (`x.a.f()` becomes `H.read(1, x).a.f()`, so `f` still gets `this === x.a`);
 * an assignment passes its right side through the hook (`x.a = await f()` becomes
 * `x.a = H.write(2, await f())`: recorded after the await, right before the store, and only
 * when a logical assignment does assign); an update or `delete` is wrapped whole, and so is
 * `fn = () => {}` (the function takes its name from the binding only as a direct right side). Only text
 * without line breaks is inserted, so every line stays where it is (stack traces, go-to-line);
 * columns after an instrumented access on the same line move, as with the frame hooks.
 */
import type { AnyNode } from './handler-exits';
import { children, FUNCTION_TYPES, lineStarts, toPosition } from './handler-exits';
import { patternNames } from './patterns';
import { scriptRefusal } from './capture-sites';
import { MAX_FRAMED_FILE_CHARS } from './frame-instrument';
import { CROSS_TALK_HOOKS, MAX_PATH_DEPTH, SITE_READ, SITE_SET, SITE_UPDATE, type CrossTalkSiteTable } from './cross-talk-sites';

export interface CrossTalkInstrumentResult {
  code: string;
  table: CrossTalkSiteTable;
}

interface Scope {
  names: Set<string>;
  parent: Scope | null;
}

interface Site {
  path: string;
  line: number;
  kind: number;
  /** Assigned once the unused sites are dropped; -1: dropped. */
  id: number;
}

interface Insertion {
  offset: number;
  text: string;
  closing: boolean;
  /** Openers at one offset: the wider node first (larger end); closers: the inner one first (larger start). */
  span: number;
}

/** How a read passes its root binding through the hook. */
type ReadForm = 'plain' | 'shorthand' | 'new';

/** Whether two paths overlap: equal, or one below the other (a write to `state` changes `state.user`). */
export function pathsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = a.length < b.length ? a : b;
  const longer = a.length < b.length ? b : a;
  return longer.startsWith(shorter) && longer[shorter.length] === '.';
}

function lexicalNames(statements: AnyNode[], out: Set<string>): void {
  for (const statement of statements) {
    const declaration = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? (statement.declaration as AnyNode | null) : statement;
    if (!declaration) continue;
    if (declaration.type === 'VariableDeclaration' && declaration.kind !== 'var') {
      for (const declarator of declaration.declarations as AnyNode[]) addPattern(declarator.id as AnyNode, out);
    } else if ((declaration.type === 'ClassDeclaration' || declaration.type === 'FunctionDeclaration') && declaration.id) {
      out.add((declaration.id as AnyNode).name as string);
    }
  }
}

function addPattern(pattern: AnyNode | null | undefined, out: Set<string>): void {
  const names: string[] = [];
  patternNames(pattern, names);
  for (const name of names) out.add(name);
}

/**
 * `var` names of a function's own code, and (conservatively: sloppy mode hoists them, Annex B)
 * functions declared in its nested blocks: a name in doubt is treated as local, never tracked.
 */
function functionVarNames(node: AnyNode, out: Set<string>): void {
  for (const child of children(node)) {
    if (FUNCTION_TYPES.has(child.type)) {
      if (child.type === 'FunctionDeclaration' && child.id) out.add((child.id as AnyNode).name as string);
      continue;
    }
    if (child.type === 'StaticBlock') continue;
    if (child.type === 'VariableDeclaration' && child.kind === 'var') {
      for (const declarator of child.declarations as AnyNode[]) addPattern(declarator.id as AnyNode, out);
    }
    functionVarNames(child, out);
  }
}

/** An anonymous function or class, which takes its name from the binding it is assigned to. */
function namedByTarget(node: AnyNode): boolean {
  return node.type === 'ArrowFunctionExpression' || ((node.type === 'FunctionExpression' || node.type === 'ClassExpression') && !node.id);
}

/** An await or yield of this function's own code (nested functions excluded). */
function suspends(node: AnyNode): boolean {
  if (node.type === 'AwaitExpression' || node.type === 'YieldExpression' || (node.type === 'ForOfStatement' && node.await === true)) return true;
  return children(node).some((child) => !FUNCTION_TYPES.has(child.type) && suspends(child));
}

class CrossTalkWalker {
  readonly sites: Site[] = [];
  /** Called once ids are known; each emits the insertions of the sites it owns that were kept. */
  readonly emitters: Array<(out: Insertion[]) => void> = [];

  constructor(
    private readonly tracked: ReadonlySet<string>,
    private readonly starts: number[],
    private readonly hooks: string,
  ) {}

  private resolvesToModule(name: string, scope: Scope | null): boolean {
    for (let s = scope; s; s = s.parent) if (s.names.has(name)) return false;
    return this.tracked.has(name);
  }

  private site(path: string, offset: number, kind: number): Site {
    const site: Site = { path, line: toPosition(this.starts, offset).lineNumber + 1, kind, id: -1 };
    this.sites.push(site);
    return site;
  }

  private call(hook: string, site: Site): string {
    return `${this.hooks}.${hook}(${site.id}, `;
  }

  visit(node: AnyNode, scope: Scope | null, inFunction: boolean): void {
    switch (node.type) {
      case 'Identifier':
        if (inFunction) this.readIdentifier(node, scope, 'plain');
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.visitFunction(node, scope);
        return;
      case 'BlockStatement':
      case 'StaticBlock': {
        const names = new Set<string>();
        lexicalNames(node.body as AnyNode[], names);
        if (node.type === 'StaticBlock') functionVarNames(node, names);
        this.visitAll(node.body as AnyNode[], { names, parent: scope }, inFunction);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        this.visitFor(node, scope, inFunction);
        return;
      case 'SwitchStatement': {
        this.visit(node.discriminant as AnyNode, scope, inFunction);
        const names = new Set<string>();
        const cases = node.cases as AnyNode[];
        for (const switchCase of cases) lexicalNames(switchCase.consequent as AnyNode[], names);
        const inner = { names, parent: scope };
        for (const switchCase of cases) this.visitAll(children(switchCase), inner, inFunction);
        return;
      }
      case 'CatchClause': {
        const names = new Set<string>();
        addPattern(node.param as AnyNode | null, names);
        const inner = { names, parent: scope };
        if (node.param) this.visitBindingPattern(node.param as AnyNode, inner, inFunction);
        this.visit(node.body as AnyNode, inner, inFunction);
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (node.superClass) this.visit(node.superClass as AnyNode, scope, inFunction);
        const inner = node.type === 'ClassExpression' && node.id ? { names: new Set([(node.id as AnyNode).name as string]), parent: scope } : scope;
        this.visit(node.body as AnyNode, inner, inFunction);
        return;
      }
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'Property':
        if (node.computed) this.visit(node.key as AnyNode, scope, inFunction);
        if (node.shorthand && (node.value as AnyNode).type === 'Identifier') {
          if (inFunction) this.readIdentifier(node.value as AnyNode, scope, 'shorthand');
        } else if (node.value) this.visit(node.value as AnyNode, scope, inFunction);
        return;
      case 'MemberExpression':
        this.readMember(node, scope, inFunction, 'value');
        return;
      case 'CallExpression':
      case 'NewExpression':
      case 'TaggedTemplateExpression': {
        const callee = (node.type === 'TaggedTemplateExpression' ? node.tag : node.callee) as AnyNode;
        const form: ReadForm = node.type === 'NewExpression' ? 'new' : 'plain';
        if (callee.type === 'MemberExpression') this.readMember(callee, scope, inFunction, form === 'new' ? 'new' : 'object');
        else if (callee.type === 'Identifier') {
          if (inFunction) this.readIdentifier(callee, scope, form);
        } else this.visit(callee, scope, inFunction);
        for (const child of children(node)) if (child !== callee) this.visit(child, scope, inFunction);
        return;
      }
      case 'AssignmentExpression':
        this.visitAssignment(node, scope, inFunction);
        return;
      case 'UpdateExpression':
        this.visitWrappedWrite(node, node.argument as AnyNode, SITE_UPDATE, scope, inFunction);
        return;
      case 'UnaryExpression':
        if (node.operator !== 'delete') this.visit(node.argument as AnyNode, scope, inFunction);
        // `delete x` of a binding is left alone: wrapped, it would return true instead of false.
        else if ((node.argument as AnyNode).type !== 'Identifier') this.visitWrappedWrite(node, node.argument as AnyNode, SITE_SET, scope, inFunction);
        return;
      case 'VariableDeclarator':
        this.visitBindingPattern(node.id as AnyNode, scope, inFunction);
        if (node.init) this.visit(node.init as AnyNode, scope, inFunction);
        return;
      case 'LabeledStatement':
        this.visit(node.body as AnyNode, scope, inFunction);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        return;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        if (node.declaration) this.visit(node.declaration as AnyNode, scope, inFunction);
        return;
      default:
        this.visitAll(children(node), scope, inFunction);
    }
  }

  visitAll(nodes: AnyNode[], scope: Scope | null, inFunction: boolean): void {
    for (const node of nodes) this.visit(node, scope, inFunction);
  }

  private visitFunction(fn: AnyNode, outer: Scope | null): void {
    const names = new Set<string>();
    for (const param of fn.params as AnyNode[]) addPattern(param, names);
    if (fn.type === 'FunctionExpression' && fn.id) names.add((fn.id as AnyNode).name as string);
    if (fn.type !== 'ArrowFunctionExpression') names.add('arguments');
    const body = fn.body as AnyNode;
    if (body.type === 'BlockStatement') {
      lexicalNames(body.body as AnyNode[], names);
      functionVarNames(body, names);
    }
    const scope = { names, parent: outer };
    for (const param of fn.params as AnyNode[]) this.visitBindingPattern(param, scope, true);
    if (body.type === 'BlockStatement') this.visitAll(body.body as AnyNode[], scope, true);
    else this.visit(body, scope, true);
  }

  private visitFor(node: AnyNode, scope: Scope | null, inFunction: boolean): void {
    const head = (node.type === 'ForStatement' ? node.init : node.left) as AnyNode | null;
    const names = new Set<string>();
    if (head?.type === 'VariableDeclaration' && head.kind !== 'var') lexicalNames([head], names);
    const inner = names.size > 0 ? { names, parent: scope } : scope;
    if (head && node.type !== 'ForStatement' && head.type !== 'VariableDeclaration') this.visitTargets(head, inner, inFunction, null);
    for (const child of children(node)) if (child !== head || node.type === 'ForStatement' || head.type === 'VariableDeclaration') this.visit(child, inner, inFunction);
  }

  /** The expressions inside a binding pattern (defaults, computed keys); its names are declarations. */
  private visitBindingPattern(pattern: AnyNode, scope: Scope | null, inFunction: boolean): void {
    switch (pattern.type) {
      case 'ObjectPattern':
        for (const property of pattern.properties as AnyNode[]) {
          if (property.type === 'RestElement') this.visitBindingPattern(property.argument as AnyNode, scope, inFunction);
          else {
            if (property.computed) this.visit(property.key as AnyNode, scope, inFunction);
            this.visitBindingPattern(property.value as AnyNode, scope, inFunction);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of pattern.elements as Array<AnyNode | null>) if (element) this.visitBindingPattern(element, scope, inFunction);
        return;
      case 'AssignmentPattern':
        this.visitBindingPattern(pattern.left as AnyNode, scope, inFunction);
        this.visit(pattern.right as AnyNode, scope, inFunction);
        return;
      case 'RestElement':
        this.visitBindingPattern(pattern.argument as AnyNode, scope, inFunction);
        return;
      default:
        return;
    }
  }

  /**
   * The targets of an assignment: module paths written are pushed to `writes` (null: not
   * tracked, as in a for-of head); what the targets read (objects of computed members,
   * defaults, computed keys) is visited as reads.
   */
  private visitTargets(target: AnyNode, scope: Scope | null, inFunction: boolean, writes: Site[] | null): void {
    switch (target.type) {
      case 'Identifier':
        if (writes && inFunction && this.resolvesToModule(target.name as string, scope)) writes.push(this.site(target.name as string, target.start, SITE_SET));
        return;
      case 'MemberExpression': {
        const path = writes && inFunction ? this.staticPath(target, scope) : null;
        if (path) writes?.push(this.site(path, target.start, SITE_SET));
        else this.readMember(target, scope, inFunction, 'object');
        return;
      }
      case 'ObjectPattern':
        for (const property of target.properties as AnyNode[]) {
          if (property.type === 'RestElement') this.visitTargets(property.argument as AnyNode, scope, inFunction, writes);
          else {
            if (property.computed) this.visit(property.key as AnyNode, scope, inFunction);
            this.visitTargets(property.value as AnyNode, scope, inFunction, writes);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of target.elements as Array<AnyNode | null>) if (element) this.visitTargets(element, scope, inFunction, writes);
        return;
      case 'AssignmentPattern':
        this.visitTargets(target.left as AnyNode, scope, inFunction, writes);
        this.visit(target.right as AnyNode, scope, inFunction);
        return;
      case 'RestElement':
        this.visitTargets(target.argument as AnyNode, scope, inFunction, writes);
        return;
      default:
        this.visit(target, scope, inFunction);
    }
  }

  private visitAssignment(node: AnyNode, scope: Scope | null, inFunction: boolean): void {
    const writes: Site[] = [];
    this.visitTargets(node.left as AnyNode, scope, inFunction, writes);
    const right = node.right as AnyNode;
    if (writes.length === 0) {
      this.visit(right, scope, inFunction);
      return;
    }
    const update = node.operator !== '=';
    if (update) for (const write of writes) write.kind = SITE_UPDATE;
    if ((node.left as AnyNode).type === 'Identifier' && namedByTarget(right)) {
      // `fn = () => {}` names the function `fn`; passed through a call it would stay nameless.
      // So the whole assignment is wrapped: recorded right after the store instead of before.
      this.visitWrappedWrite(node, node.left as AnyNode, (writes[0] as Site).kind, scope, inFunction, writes[0]);
      this.visit(right, scope, inFunction);
      return;
    }
    // `x += await f()` reads x where it starts: that read is recorded before the right side runs.
    const startRead = update && suspends(right) ? this.site((writes[0] as Site).path, node.start, SITE_READ) : null;
    const sequence = right.type === 'SequenceExpression';
    this.emitters.push((out) => {
      const kept = writes.filter((write) => write.id >= 0);
      const read = startRead && startRead.id >= 0 ? startRead : null;
      if (kept.length === 0 && !read) return;
      const open = kept.map((write) => this.call(CROSS_TALK_HOOKS.write, write)).join('') + (read ? `(${this.hooks}.${CROSS_TALK_HOOKS.read}(${read.id}), ` : sequence ? '(' : '');
      const close = (read || sequence ? ')' : '') + ')'.repeat(kept.length);
      out.push({ offset: right.start, text: open, closing: false, span: right.end }, { offset: right.end, text: close, closing: true, span: right.start });
    });
    // After the emitter: a read that is the whole right side (`x = y`) then opens inside the
    // write (`x = H.write(1, H.read(2, y))`), so it is recorded first, as it happens.
    this.visit(right, scope, inFunction);
  }

  /** An update or delete of a module path, wrapped whole: the hook runs once the write is done. */
  private visitWrappedWrite(node: AnyNode, target: AnyNode, kind: number, scope: Scope | null, inFunction: boolean, known?: Site): void {
    const path = !inFunction ? null : target.type === 'Identifier' ? (this.resolvesToModule(target.name as string, scope) ? (target.name as string) : null) : target.type === 'MemberExpression' ? this.staticPath(target, scope) : null;
    if (!path) {
      if (target.type === 'MemberExpression') this.readMember(target, scope, inFunction, 'object');
      else if (target.type !== 'Identifier') this.visit(target, scope, inFunction);
      return;
    }
    const write = known ?? this.site(path, node.start, kind);
    this.emitters.push((out) => {
      if (write.id < 0) return;
      out.push({ offset: node.start, text: this.call(CROSS_TALK_HOOKS.write, write), closing: false, span: node.end }, { offset: node.end, text: ')', closing: true, span: node.start });
    });
  }

  /** The members of a chain from its root outwards, and the root below them. */
  private chain(node: AnyNode): { root: AnyNode; members: AnyNode[] } {
    const members: AnyNode[] = [];
    let current = node;
    while (current.type === 'MemberExpression') {
      members.unshift(current);
      current = current.object as AnyNode;
    }
    return { root: current, members };
  }

  /** Leading static property names of a chain (up to the first computed or private member). */
  private static staticNames(members: AnyNode[]): string[] {
    const names: string[] = [];
    for (const member of members) {
      const property = member.property as AnyNode;
      if (member.computed || property.type !== 'Identifier') break;
      names.push(property.name as string);
    }
    return names;
  }

  private static pathOf(root: string, names: string[]): string {
    return [root, ...names.slice(0, MAX_PATH_DEPTH)].join('.');
  }

  /** The module path a fully static member chain names (`x.a.b`), else null. */
  private staticPath(node: AnyNode, scope: Scope | null): string | null {
    const { root, members } = this.chain(node);
    if (root.type !== 'Identifier' || !this.resolvesToModule(root.name as string, scope)) return null;
    const names = CrossTalkWalker.staticNames(members);
    return names.length === members.length ? CrossTalkWalker.pathOf(root.name as string, names) : null;
  }

  /**
   * A member chain that is read: 'value' reads its longest static path; 'object' and 'new' read
   * the path of the object it is taken from (a call's `this`, a computed write's object).
   */
  private readMember(node: AnyNode, scope: Scope | null, inFunction: boolean, mode: 'value' | 'object' | 'new'): void {
    const { root, members } = this.chain(node);
    for (const member of members) if (member.computed) this.visit(member.property as AnyNode, scope, inFunction);
    if (root.type !== 'Identifier') {
      this.visit(root, scope, inFunction);
      return;
    }
    if (!inFunction || !this.resolvesToModule(root.name as string, scope)) return;
    const names = CrossTalkWalker.staticNames(members);
    if (mode !== 'value' && names.length === members.length) names.pop();
    this.read(root, CrossTalkWalker.pathOf(root.name as string, names), mode === 'new' ? 'new' : 'plain');
  }

  private readIdentifier(node: AnyNode, scope: Scope | null, form: ReadForm): void {
    if (this.resolvesToModule(node.name as string, scope)) this.read(node, node.name as string, form);
  }

  /** Passes the root binding through the read hook. */
  private read(root: AnyNode, path: string, form: ReadForm): void {
    const site = this.site(path, root.start, SITE_READ);
    this.emitters.push((out) => {
      if (site.id < 0) return;
      const call = this.call(CROSS_TALK_HOOKS.read, site);
      // A `new` callee must stay a member expression: `new (H.read(1, x)).C()`, not `new H.read(...)`.
      const open = form === 'shorthand' ? `${root.name as string}: ${call}` : form === 'new' ? `(${call}` : call;
      out.push({ offset: root.start, text: open, closing: false, span: root.end }, { offset: root.end, text: form === 'new' ? '))' : ')', closing: true, span: root.start });
    });
  }
}

/** `a`, `a.b`, `a.b.c` for `a.b.c`. */
function prefixesOf(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_part, i) => parts.slice(0, i + 1).join('.'));
}

/** Whether `path` overlaps one of `paths` (given as `exact` and every prefix of them, `prefixes`): no pairwise scan. */
function overlapsAny(path: string, exact: ReadonlySet<string>, prefixes: ReadonlySet<string>): boolean {
  return prefixes.has(path) || prefixesOf(path).some((prefix) => exact.has(prefix));
}

/**
 * Keeps the sites that can take part in a finding: reads of paths that some write overlaps,
 * and writes of paths that some read overlaps; numbers them and builds the table.
 */
function keepUseful(sites: Site[]): CrossTalkSiteTable {
  const exact = [new Set<string>(), new Set<string>()];
  const prefixes = [new Set<string>(), new Set<string>()];
  for (const site of sites) {
    const side = site.kind === SITE_READ ? 0 : 1;
    exact[side]?.add(site.path);
    for (const prefix of prefixesOf(site.path)) prefixes[side]?.add(prefix);
  }
  const paths: string[] = [];
  const index = new Map<string, number>();
  const table: CrossTalkSiteTable = { paths, sites: [], overlaps: [] };
  for (const site of sites) {
    const other = site.kind === SITE_READ ? 1 : 0;
    if (!overlapsAny(site.path, exact[other] as Set<string>, prefixes[other] as Set<string>)) continue;
    let pathIndex = index.get(site.path);
    if (pathIndex === undefined) {
      pathIndex = paths.length;
      index.set(site.path, pathIndex);
      paths.push(site.path);
    }
    site.id = table.sites.length;
    table.sites.push([pathIndex, site.line, site.kind]);
  }
  table.overlaps = paths.map((path) => paths.flatMap((other, i) => (pathsOverlap(path, other) ? [i] : [])));
  return table;
}

/**
 * `code` (parsed as `root`) with cross-talk hooks calling the channel `hooks`, tracking the
 * module-scope bindings named in `tracked`. A script with a `with` statement or declaring the
 * channel's name gets none (a name there may not resolve where the parse says), nor does a
 * file over the frame hooks' size limit (a bundle: its dependencies' module state is not the user's).
 */
export function instrumentCrossTalk(code: string, root: AnyNode, tracked: ReadonlySet<string>, hooks: string): CrossTalkInstrumentResult {
  // A bundle with its dependencies inlined is left alone, as the frame hooks leave it.
  if (code.length > MAX_FRAMED_FILE_CHARS || scriptRefusal(root, hooks)) return { code, table: { paths: [], sites: [], overlaps: [] } };
  const walker = new CrossTalkWalker(tracked, lineStarts(code), hooks);
  walker.visitAll(children(root), null, false);
  const table = keepUseful(walker.sites);
  const insertions: Insertion[] = [];
  for (const emit of walker.emitters) emit(insertions);
  insertions.sort((a, b) => a.offset - b.offset || (a.closing === b.closing ? b.span - a.span : a.closing ? -1 : 1));
  let out = '';
  let last = 0;
  for (const insertion of insertions) {
    out += code.slice(last, insertion.offset) + insertion.text;
    last = insertion.offset;
  }
  return { code: out + code.slice(last), table };
}

/** The line appended after the module's last line that hands the tracker the site table. */
export function crossTalkTableCall(hooks: string, table: CrossTalkSiteTable): string {
  return `;${hooks}.${CROSS_TALK_HOOKS.sites}(${JSON.stringify(JSON.stringify(table))});`;
}
