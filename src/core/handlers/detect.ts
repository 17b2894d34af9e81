/**
 * Handler detection: which exports of a JavaScript or TypeScript file Lambda could call.
 *
 * Works on the syntax tree (acorn), never on regexes, so comments, strings and nested code
 * cannot fool it. TypeScript is first reduced to JavaScript by sucrase, which keeps every
 * line where it was (columns may shift; they are mapped back to the original text).
 * Only top-level statements are read: that is where Lambda's `require(file)[name]` looks.
 */
import { parse, type Node, type Program, type Expression, type Pattern, type Identifier, type Literal, type MemberExpression, type Function as FunctionNode } from 'acorn';
import { transform } from 'sucrase';
import type { HandlerCandidate, SourceRange } from './types';

/** A parse failure, positioned in the original source. */
export interface ParseProblem {
  message: string;
  /** 1-based line, 0-based column; absent when the parser gave no position. */
  line?: number;
  column?: number;
}

export interface DetectionResult {
  candidates: HandlerCandidate[];
  /** Set when the file could not be parsed; `candidates` is then empty. */
  error?: ParseProblem;
  /**
   * Things worth telling the user that are not handlers, e.g. `module.exports = fn`, which a
   * handler string such as `file.handler` cannot reach.
   */
  notes: string[];
}

const TYPESCRIPT_EXTENSIONS = /\.(ts|mts|cts|tsx)$/i;
const JSX_EXTENSIONS = /\.(jsx|tsx)$/i;

/** Callee names that wrap a handler (middy, Sentry's wrapHandler, Powertools, `withX(...)`). */
const WRAPPER_NAME = /middy|wrap|handler|lambda|^with[A-Z_]|instrument|sentry|serverless|compose|pipe|powertools/i;

/** The handler candidates of a file; `[]` when it does not parse. Never throws. */
export function detectHandlers(source: string, fileName: string): HandlerCandidate[] {
  return detectHandlersWithDiagnostics(source, fileName).candidates;
}

/** Like `detectHandlers`, with the parse error (if any) and notes. Never throws. */
export function detectHandlersWithDiagnostics(source: string, fileName: string): DetectionResult {
  const prepared = toJavaScript(source, fileName);
  if ('error' in prepared) return { candidates: [], error: prepared.error, notes: [] };
  const program = parseProgram(prepared.code);
  if ('error' in program) return { candidates: [], error: program.error, notes: [] };
  const collector = new Collector(program.ast, program.code, prepared.typescript ? source : null);
  collector.run();
  return { candidates: collector.result(), notes: collector.notes };
}

// ---------------------------------------------------------------------------------------------
// Source preparation and parsing

function toJavaScript(source: string, fileName: string): { code: string; typescript: boolean } | { error: ParseProblem } {
  const typescript = TYPESCRIPT_EXTENSIONS.test(fileName);
  const jsx = JSX_EXTENSIONS.test(fileName);
  if (!typescript && !jsx) return { code: source, typescript: false };
  try {
    const transforms: ('typescript' | 'jsx')[] = [];
    if (typescript) transforms.push('typescript');
    if (jsx) transforms.push('jsx');
    // disableESTransforms keeps modern syntax as written; only types (and JSX) go away.
    const code = transform(source, { transforms, disableESTransforms: true, filePath: fileName }).code;
    return { code, typescript: true };
  } catch (err) {
    return { error: sucraseProblem(err) };
  }
}

function sucraseProblem(err: unknown): ParseProblem {
  const message = err instanceof Error ? err.message : String(err);
  // Sucrase reports "Unexpected token (3:14)" with a 1-based line and 0-based column.
  const match = /\((\d+):(\d+)\)/.exec(message);
  if (!match) return { message };
  return { message, line: Number(match[1]), column: Number(match[2]) };
}

function parseProgram(code: string): { ast: Program; code: string } | { error: ParseProblem } {
  // Decorators (class-based handlers, e.g. Powertools' @tracer.captureLambdaHandler()) are not
  // in acorn's grammar yet: blank each one the parser trips over and try again. Blanking keeps
  // every offset and line, and the parser's own error position guarantees the `@` is code,
  // not text in a string or comment.
  let current = code;
  let firstError: unknown = null;
  for (let attempt = 0; attempt < 200; attempt++) {
    const result = tryParse(current);
    if ('ast' in result) return { ast: result.ast, code: current };
    firstError ??= result.error;
    const position = (result.error as { pos?: number } | null)?.pos;
    if (typeof position !== 'number' || current[position] !== '@') break;
    const next = blankDecorator(current, position);
    if (next === current) break;
    current = next;
  }
  return { error: acornProblem(firstError) };
}

function tryParse(code: string): { ast: Program } | { error: unknown } {
  const base = { ecmaVersion: 'latest' as const, locations: true, allowHashBang: true, allowReturnOutsideFunction: true };
  try {
    return { ast: parse(code, { ...base, sourceType: 'module', allowAwaitOutsideFunction: true }) };
  } catch (moduleError) {
    // Sloppy-mode CommonJS (`with`, legacy octal) is not valid module code: try it as a script.
    try {
      return { ast: parse(code, { ...base, sourceType: 'script' }) };
    } catch {
      return { error: moduleError };
    }
  }
}

/** Replace `@a.b.c(args)` at `start` with spaces (newlines kept); unchanged if it is no decorator. */
function blankDecorator(code: string, start: number): string {
  const name = /^@[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(code.slice(start, start + 500));
  if (!name) return code;
  let end = start + name[0].length;
  const afterSpaces = skipSpaces(code, end);
  if (code[afterSpaces] === '(') end = matchingParen(code, afterSpaces) + 1;
  const blanked = code.slice(start, end).replace(/[^\n]/g, ' ');
  return code.slice(0, start) + blanked + code.slice(end);
}

function skipSpaces(code: string, index: number): number {
  while (index < code.length && /[ \t]/.test(code[index])) index++;
  return index;
}

/** Index of the `)` matching the `(` at `open`, skipping strings; the last index if unbalanced. */
function matchingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const ch = code[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      for (i++; i < code.length && code[i] !== ch; i++) if (code[i] === '\\') i++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && --depth === 0) {
      return i;
    }
  }
  return code.length - 1;
}

function acornProblem(err: unknown): ParseProblem {
  const message = err instanceof Error ? err.message : String(err);
  const loc = (err as { loc?: { line: number; column: number } } | null)?.loc;
  return loc ? { message, line: loc.line, column: loc.column } : { message };
}

// ---------------------------------------------------------------------------------------------
// Tree walk

interface ValueInfo {
  shape: HandlerCandidate['shape'];
  params: number | null;
  /** The callee's name for wrapped values such as `middy(fn)`. */
  wrapper?: string;
  /** Where the value is defined in this file. */
  definition?: Node;
  /** A function written here: its parameters, for the callback-style check. */
  parameters?: FunctionNode['params'];
}

type LocalBinding = { kind: 'value'; node: Node } | { kind: 'imported' };

class Collector {
  readonly notes: string[] = [];
  private readonly byName = new Map<string, HandlerCandidate>();
  private readonly locals = new Map<string, LocalBinding>();
  private readonly generatedLines: string[];
  private readonly originalLines: string[] | null;

  constructor(
    private readonly program: Program,
    code: string,
    original: string | null,
  ) {
    this.generatedLines = code.split(/\r?\n/);
    this.originalLines = original === null ? null : original.split(/\r?\n/);
  }

  run(): void {
    this.collectLocals();
    for (const statement of this.program.body) this.visitTopLevel(statement);
  }

  result(): HandlerCandidate[] {
    return [...this.byName.values()].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  /** Top-level declarations that exports may refer to by name. */
  private collectLocals(): void {
    for (const statement of this.program.body) {
      const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
      if (!declaration) continue;
      if (declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') {
        if (declaration.id) this.locals.set(declaration.id.name, { kind: 'value', node: declaration });
      } else if (declaration.type === 'VariableDeclaration') {
        for (const declarator of declaration.declarations) {
          if (declarator.id.type === 'Identifier' && declarator.init) this.locals.set(declarator.id.name, { kind: 'value', node: declarator.init });
        }
      } else if (declaration.type === 'ImportDeclaration') {
        for (const specifier of declaration.specifiers) this.locals.set(specifier.local.name, { kind: 'imported' });
      }
    }
  }

  private visitTopLevel(statement: Program['body'][number]): void {
    switch (statement.type) {
      case 'ExpressionStatement':
        this.visitAssignmentChain(statement.expression, statement);
        return;
      case 'ExportNamedDeclaration':
        this.visitNamedExport(statement);
        return;
      case 'ExportDefaultDeclaration': {
        const info = this.describe(statement.declaration as Node);
        if (info) this.add('default', statement, info);
        return;
      }
      default:
        return;
    }
  }

  /** `exports.a = module.exports.b = value`, `module.exports = { ... }`, `module.exports = fn`. */
  private visitAssignmentChain(expression: Expression, statement: Node): void {
    const targets: Pattern[] = [];
    let value: Expression = expression;
    while (value.type === 'AssignmentExpression' && value.operator === '=') {
      targets.push(value.left);
      value = value.right;
    }
    for (const target of targets) {
      if (target.type !== 'MemberExpression') continue;
      if (isModuleExports(target)) {
        this.visitModuleExportsAssignment(value, statement);
        continue;
      }
      const name = commonJsExportName(target);
      if (name === null) continue;
      const info = this.describe(value);
      if (info) this.add(name, statement, info);
    }
  }

  private visitModuleExportsAssignment(value: Expression, statement: Node): void {
    // Replacing module.exports drops every `exports.x = ...` made before it.
    for (const [name, candidate] of this.byName) {
      if (candidate.line < this.lineOf(statement) && !this.isEsmExport(name)) this.byName.delete(name);
    }
    if (value.type === 'ObjectExpression') {
      for (const property of value.properties) {
        if (property.type !== 'Property' || property.kind !== 'init') continue;
        const name = propertyKeyName(property.key, property.computed);
        if (name === null) continue;
        const info = this.describe(property.value as Expression);
        if (info) this.add(name, property, info);
      }
      return;
    }
    const info = this.describe(value);
    if (info && info.shape !== 'unknown') {
      this.notes.push(
        `line ${this.lineOf(statement)}: module.exports is itself a function; a Lambda handler string (file.name) needs a named export such as module.exports.handler.`,
      );
    }
  }

  private readonly esmNames = new Set<string>();
  private isEsmExport(name: string): boolean {
    return this.esmNames.has(name);
  }

  private visitNamedExport(statement: Extract<Program['body'][number], { type: 'ExportNamedDeclaration' }>): void {
    const declaration = statement.declaration;
    if (declaration) {
      if (declaration.type === 'FunctionDeclaration') {
        this.addEsm(declaration.id.name, statement, this.describe(declaration));
      } else if (declaration.type === 'VariableDeclaration') {
        for (const declarator of declaration.declarations) {
          if (declarator.id.type !== 'Identifier' || !declarator.init) continue;
          // One declarator of several: its own line; a single one: the whole statement.
          const site = declaration.declarations.length === 1 ? statement : declarator;
          this.addEsm(declarator.id.name, site, this.describe(declarator.init));
        }
      }
      return;
    }
    for (const specifier of statement.specifiers) {
      const exported = moduleExportName(specifier.exported);
      if (exported === null) continue;
      if (statement.source) {
        // `export { x } from './other'`: defined elsewhere, shape unknown.
        this.addEsm(exported, specifier, { shape: 'unknown', params: null });
        continue;
      }
      const local = moduleExportName(specifier.local);
      if (local === null) continue;
      this.addEsm(exported, specifier, this.describeIdentifier(local, new Set()));
    }
  }

  private addEsm(name: string, site: Node, info: ValueInfo | null): void {
    if (!info) return;
    this.esmNames.add(name);
    this.add(name, site, info);
  }

  /** What a value is, or null when it cannot be a handler (a literal, an object, a class). */
  private describe(node: Node, seen: Set<string> = new Set()): ValueInfo | null {
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const fn = node as FunctionNode;
        return { shape: fn.async ? 'async-function' : 'function', params: fn.params.length, definition: node, parameters: fn.params };
      }
      case 'CallExpression': {
        const call = node as Extract<Expression, { type: 'CallExpression' }>;
        const callee = call.callee.type === 'Super' ? null : calleeName(call.callee);
        // `middy(fn).use(x)`: the outermost call is `.use`; the wrapper is at the root.
        const root = rootCalleeName(call);
        // `middy(baseHandler)`: the wrapped function is where the user's code is.
        const wrapped = this.wrappedLocalFunction(call, seen);
        return { shape: 'unknown', params: null, wrapper: root ?? callee ?? undefined, definition: wrapped ?? node };
      }
      case 'Identifier':
        return this.describeIdentifier((node as Identifier).name, seen);
      case 'MemberExpression':
      case 'ConditionalExpression':
      case 'LogicalExpression':
      case 'AwaitExpression':
      case 'SequenceExpression':
      case 'ChainExpression':
        // `require('./impl').handler`, `a || b`: may well be a function, shape unknown.
        return { shape: 'unknown', params: null, definition: node };
      case 'ParenthesizedExpression':
        return this.describe((node as Extract<Expression, { type: 'ParenthesizedExpression' }>).expression, seen);
      default:
        return null;
    }
  }

  private wrappedLocalFunction(call: Extract<Expression, { type: 'CallExpression' }>, seen: Set<string>): Node | undefined {
    let current: Node = call;
    while (current.type === 'CallExpression' || current.type === 'MemberExpression') {
      if (current.type === 'MemberExpression') {
        current = (current as MemberExpression).object;
        continue;
      }
      const first = (current as Extract<Expression, { type: 'CallExpression' }>).arguments[0];
      if (first?.type === 'Identifier' && !seen.has(first.name)) {
        const binding = this.locals.get(first.name);
        if (binding?.kind === 'value' && /Function/.test(binding.node.type)) return binding.node;
      } else if (first?.type === 'FunctionExpression' || first?.type === 'ArrowFunctionExpression') {
        return first;
      }
      current = (current as Extract<Expression, { type: 'CallExpression' }>).callee;
    }
    return undefined;
  }

  private describeIdentifier(name: string, seen: Set<string>): ValueInfo | null {
    if (seen.has(name)) return null;
    seen.add(name);
    const binding = this.locals.get(name);
    if (!binding || binding.kind === 'imported') return { shape: 'unknown', params: null };
    return this.describe(binding.node, seen);
  }

  private add(name: string, site: Node, info: ValueInfo): void {
    const position = this.position(site);
    const candidate: HandlerCandidate = {
      exportName: name,
      line: position.line,
      column: position.column,
      params: info.params,
      shape: info.shape,
      confidence: confidenceOf(name, info),
      endLine: this.endLineOf(site),
    };
    if (info.definition) {
      candidate.definition = { line: this.lineOf(info.definition), endLine: this.endLineOf(info.definition) };
    }
    const parameters = info.parameters ?? [];
    candidate.callbackStyle = declaredLength(parameters) >= 3;
    if (candidate.callbackStyle) candidate.parameterList = this.rangeOf(parameters[0], parameters[parameters.length - 1]);
    // A later assignment to the same export replaces the earlier one, as at run time.
    this.byName.delete(name);
    this.byName.set(name, candidate);
  }

  private lineOf(node: Node): number {
    return node.loc?.start.line ?? 1;
  }

  private endLineOf(node: Node): number {
    return node.loc?.end.line ?? this.lineOf(node);
  }

  /** From the start of `first` to the end of `last`, in the original text. */
  private rangeOf(first: Node, last: Node): SourceRange {
    const start = this.position(first);
    const lastStart = this.position(last);
    const end = last.loc?.end ?? { line: lastStart.line, column: lastStart.column };
    // TypeScript: the generated text lost the type annotations, so only the last parameter's
    // own length (its name or pattern) is known; it ends before that parameter's type.
    const generatedLength = last.loc && last.loc.start.line === end.line ? end.column - last.loc.start.column : 0;
    return this.originalLines === null
      ? { line: start.line, column: start.column, endLine: end.line, endColumn: end.column }
      : { line: start.line, column: start.column, endLine: lastStart.line, endColumn: lastStart.column + generatedLength };
  }

  /** The node's position in the original text (sucrase keeps lines, not always columns). */
  private position(node: Node): { line: number; column: number } {
    const line = this.lineOf(node);
    const column = node.loc?.start.column ?? 0;
    if (!this.originalLines) return { line, column };
    const generated = this.generatedLines[line - 1] ?? '';
    const original = this.originalLines[line - 1] ?? '';
    const token = /^[\w$]+/.exec(generated.slice(column))?.[0];
    if (generated.slice(0, column) === original.slice(0, column) && original.startsWith(token ?? '', column)) return { line, column };
    if (token) {
      const found = new RegExp(`(^|[^\\w$])${escapeRegExp(token)}(?![\\w$])`).exec(original);
      if (found) return { line, column: found.index + found[1].length };
    }
    const firstNonBlank = original.search(/\S/);
    return { line, column: firstNonBlank < 0 ? 0 : firstNonBlank };
  }
}

/** `Function.prototype.length`: the parameters before the first default or rest one. */
function declaredLength(parameters: readonly Node[]): number {
  const optional = parameters.findIndex((parameter) => parameter.type === 'AssignmentPattern' || parameter.type === 'RestElement');
  return optional < 0 ? parameters.length : optional;
}

function confidenceOf(name: string, info: ValueInfo): HandlerCandidate['confidence'] {
  if (info.shape !== 'unknown') return info.params !== null && info.params <= 3 ? 'likely' : 'possible';
  if (info.wrapper && WRAPPER_NAME.test(info.wrapper)) return 'likely';
  return /handler/i.test(name) && info.wrapper !== undefined ? 'likely' : 'possible';
}

function isModuleExports(node: MemberExpression): boolean {
  return node.object.type === 'Identifier' && node.object.name === 'module' && memberName(node) === 'exports';
}

/** `exports.x` or `module.exports.x` (also with `['x']`) gives `x`; anything else null. */
function commonJsExportName(node: MemberExpression): string | null {
  const object = node.object;
  const isExportsObject =
    (object.type === 'Identifier' && object.name === 'exports') || (object.type === 'MemberExpression' && isModuleExports(object));
  return isExportsObject ? memberName(node) : null;
}

function memberName(node: MemberExpression): string | null {
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  if (node.computed && node.property.type === 'Literal' && typeof (node.property as Literal).value === 'string') return (node.property as Literal).value as string;
  if (node.computed && node.property.type === 'TemplateLiteral' && node.property.expressions.length === 0) {
    return node.property.quasis[0]?.value.cooked ?? null;
  }
  return null;
}

function propertyKeyName(key: Node, computed: boolean): string | null {
  if (!computed && key.type === 'Identifier') return (key as Identifier).name;
  if (key.type === 'Literal' && typeof (key as Literal).value === 'string') return (key as Literal).value as string;
  return null;
}

function moduleExportName(node: Identifier | Literal): string | null {
  if (node.type === 'Identifier') return node.name;
  return typeof node.value === 'string' ? node.value : null;
}

function calleeName(callee: Node): string | null {
  if (callee.type === 'Identifier') return (callee as Identifier).name;
  if (callee.type === 'MemberExpression') return memberName(callee as MemberExpression);
  return null;
}

/** Walk `a(x).b(y).c(z)` down to `a`. */
function rootCalleeName(call: Extract<Expression, { type: 'CallExpression' }>): string | null {
  let current: Node = call;
  for (;;) {
    if (current.type === 'CallExpression') {
      current = (current as Extract<Expression, { type: 'CallExpression' }>).callee;
    } else if (current.type === 'MemberExpression') {
      const object: Node = (current as MemberExpression).object;
      if (object.type !== 'CallExpression') return calleeName(current);
      current = object;
    } else {
      return calleeName(current);
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
