/**
 * Prepares the handler module's source before V8 compiles it (CJS compile hook and ESM load
 * hook share this): strips TypeScript with sucrase (it keeps every line and column), lists
 * the module's top-level bindings from an acorn parse, and appends one line that hands the
 * runtime a reader of those bindings: `hooks.module((i) => { switch (i) { case 0: return a; ... } }, "[bindings]")`
 * on the hooks channel (hooks-channel.ts). A function that names every top-level binding makes
 * V8 keep all of them in the module's context (it drops the ones no inner function
 * references once the module body has run), and the runtime reads them later, by index,
 * without pausing and without any name lookup that user code could redirect (the direct `eval`
 * this used to append called whatever `globalThis.eval` held by then). Appended after the last
 * line, so no user position moves.
 *
 * DESIGN section 3 reads a probe's `[[Scopes]]` through the inspector; reading each binding
 * from the main thread instead needs no inspector round trip (module scope is taken after the
 * handler settles, not paused), and the names come in source order with their declaration
 * kinds from the same parse. CommonJS wrapper names (`exports`, `require`, ...) never appear
 * because they are not declared.
 */
import { parse, type Node as AcornNode } from 'acorn';
import type { BindingKind } from '../../model/snapshot';
import { patternNames } from './patterns';
import { isTypeScriptFile } from '../child/services/runtime-globals';
import { instrumentFrames } from './frame-instrument';
import { instrumentInitProfile } from './init-profile';
import type { AnyNode as AcornAnyNode, CommentRange } from './handler-exits';
import { crossTalkTableCall, instrumentCrossTalk } from './cross-talk';
import type { CrossTalkSiteTable } from './cross-talk-sites';

let sucraseTransform: typeof import('./typescript').transform | null = null;

/**
 * Sucrase is loaded on first use: JavaScript handlers never pay for it. The child build keeps
 * `./typescript` out of the runtime bundles (it is dist/child/typescript.js beside them);
 * other builds and the tests resolve it normally.
 */
function transform(code: string, options: import('sucrase').Options): { code: string } {
  if (!sucraseTransform) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sucraseTransform = (require('./typescript') as typeof import('./typescript')).transform;
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
      throw new Error(`TypeScript support is missing from this Warm State runtime (typescript.js was not found beside it): ${(error as Error).message}`);
    }
  }
  return sucraseTransform(code, options);
}

export type ModuleFormat = 'commonjs' | 'module';

/** One top-level binding as the user wrote it, and where its value lives at run time. */
export interface ModuleBinding {
  name: string;
  kind: BindingKind;
  /** The binding in the compiled module that holds the value (differs for rewritten imports). */
  binding: string;
  /** Set when sucrase rewrote an import `x` into `_mod.x`: read this own property, never a getter. */
  property?: string;
}

export interface InstrumentResult {
  code: string;
  bindings: ModuleBinding[];
  /** Why the functions of this file got no frame hooks (see frame-instrument.ts), else null. */
  frameRefusal: string | null;
  /** With `crossTalk`: the cross-talk sites put in (cross-talk.ts), also handed to the runtime by the appended line. */
  crossTalk?: CrossTalkSiteTable;
}

const IMPORT_MAP_FUNCTION = '__warmStateImportMap__';

interface ParsedProgram {
  body: AcornNode[];
}

function tryParse(code: string, sourceType: 'script' | 'module', comments?: CommentRange[]): ParsedProgram | null {
  try {
    if (comments) comments.length = 0;
    return parse(code, {
      onComment: comments ? (_block, _text, start, end) => comments.push({ start, end }) : undefined,
      ecmaVersion: 'latest',
      sourceType,
      allowReturnOutsideFunction: sourceType === 'script',
      allowAwaitOutsideFunction: true,
      allowHashBang: true,
      allowImportExportEverywhere: false,
    }) as unknown as ParsedProgram;
  } catch {
    return null;
  }
}

type AnyNode = AcornNode & Record<string, unknown>;

/** `var` declarations nested in top-level blocks are module bindings too (they hoist). */
function collectNestedVars(node: AnyNode | null | undefined, add: (name: string, kind: BindingKind) => void): void {
  if (!node || typeof node !== 'object') return;
  switch (node.type) {
    case 'VariableDeclaration':
      if (node.kind === 'var') {
        for (const decl of node.declarations as AnyNode[]) {
          const names: string[] = [];
          patternNames(decl.id as AnyNode, names);
          for (const name of names) add(name, 'var');
        }
      }
      return;
    case 'BlockStatement':
    case 'StaticBlock':
      for (const statement of node.body as AnyNode[]) collectNestedVars(statement, add);
      return;
    case 'IfStatement':
      collectNestedVars(node.consequent as AnyNode, add);
      collectNestedVars(node.alternate as AnyNode, add);
      return;
    case 'ForStatement':
      collectNestedVars(node.init as AnyNode, add);
      collectNestedVars(node.body as AnyNode, add);
      return;
    case 'ForInStatement':
    case 'ForOfStatement':
      collectNestedVars(node.left as AnyNode, add);
      collectNestedVars(node.body as AnyNode, add);
      return;
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'LabeledStatement':
      collectNestedVars(node.body as AnyNode, add);
      return;
    case 'TryStatement':
      collectNestedVars(node.block as AnyNode, add);
      collectNestedVars((node.handler as AnyNode | null)?.body as AnyNode, add);
      collectNestedVars(node.finalizer as AnyNode, add);
      return;
    case 'SwitchStatement':
      for (const switchCase of node.cases as AnyNode[]) {
        for (const statement of switchCase.consequent as AnyNode[]) collectNestedVars(statement, add);
      }
      return;
    default:
      return;
  }
}

/** Top-level bindings of a parsed program with their declaration kinds, in source order. */
export function topLevelBindings(program: ParsedProgram): Array<{ name: string; kind: BindingKind }> {
  const result: Array<{ name: string; kind: BindingKind }> = [];
  const seen = new Set<string>();
  const add = (name: string, kind: BindingKind): void => {
    if (seen.has(name)) return;
    seen.add(name);
    result.push({ name, kind });
  };
  const declaration = (node: AnyNode | null | undefined): void => {
    if (!node) return;
    if (node.type === 'VariableDeclaration') {
      for (const decl of node.declarations as AnyNode[]) {
        const names: string[] = [];
        patternNames(decl.id as AnyNode, names);
        for (const name of names) add(name, node.kind as BindingKind);
      }
    } else if (node.type === 'FunctionDeclaration' && node.id) {
      add((node.id as AnyNode).name as string, 'function');
    } else if (node.type === 'ClassDeclaration' && node.id) {
      add((node.id as AnyNode).name as string, 'class');
    } else {
      collectNestedVars(node, add);
    }
  };
  for (const statement of program.body as AnyNode[]) {
    if (statement.type === 'ImportDeclaration') {
      for (const specifier of statement.specifiers as AnyNode[]) add((specifier.local as AnyNode).name as string, 'import');
    } else if (statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') {
      declaration(statement.declaration as AnyNode);
    } else {
      declaration(statement);
    }
  }
  return result;
}

function hasModuleSyntax(program: ParsedProgram): boolean {
  return (program.body as AnyNode[]).some((node) => /^(Import|Export)/.test(node.type));
}

function stripTypes(source: string, filename: string): string {
  return transform(source, { transforms: ['typescript'], disableESTransforms: true, filePath: filename }).code;
}

/**
 * A TypeScript file with `import`/`export` run as CommonJS: sucrase's `imports` transform
 * turns `import { x } from 'y'` into `var _y = require('y')` and each use of `x` into
 * `_y.x`. A marker function naming every import is transformed along with the code and then
 * read back, which tells where each import's value lives; the marker is cut off again.
 */
function toCommonJs(esmCode: string, imports: string[]): { code: string; access: Map<string, { binding: string; property?: string }> } {
  const marker = `\n;function ${IMPORT_MAP_FUNCTION}(){return [${imports.join(', ')}];}`;
  const out = transform(esmCode + marker, { transforms: ['imports'], disableESTransforms: true, preserveDynamicImport: true }).code;
  const access = new Map<string, { binding: string; property?: string }>();
  const markerStart = out.lastIndexOf(`;function ${IMPORT_MAP_FUNCTION}(`);
  if (markerStart < 0) return { code: out, access };
  const program = tryParse(out.slice(markerStart + 1), 'script');
  const fn = program?.body[0] as AnyNode | undefined;
  const ret = ((fn?.body as AnyNode | undefined)?.body as AnyNode[] | undefined)?.[0];
  const elements = ((ret?.argument as AnyNode | undefined)?.elements as AnyNode[] | undefined) ?? [];
  elements.forEach((element, index) => {
    const name = imports[index];
    if (!element || name === undefined) return;
    if (element.type === 'Identifier') access.set(name, { binding: element.name as string });
    else if (element.type === 'MemberExpression' && !element.computed && (element.object as AnyNode).type === 'Identifier') {
      access.set(name, { binding: (element.object as AnyNode).name as string, property: (element.property as AnyNode).name as string });
    }
  });
  return { code: out.slice(0, markerStart), access };
}

/**
 * The appended call. The reader's parameter is named after the channel, so that it cannot
 * shadow a binding it reads; an arrow, so that a binding named `arguments` is the module's.
 */
function moduleProbeCall(hooks: string, bindings: ModuleBinding[]): string {
  const index = `${hooks}_i`;
  const cases = bindings.map((binding, i) => `case ${i}: return ${binding.binding};`).join(' ');
  return `${hooks}.module((${index}) => { switch (${index}) { ${cases} } }, ${JSON.stringify(JSON.stringify(bindings))});`;
}

export interface InstrumentOptions {
  /** Name of the hooks channel the added code calls (runtime-globals.ts). */
  hooks: string;
  /** Append the module-scope probe (only the handler module gets one). */
  probe: boolean;
  /** Put handler-scope hooks in every function, their keys starting with this; null: none. */
  frameKeyPrefix?: string | null;
  /** Time each top-level statement (init-profile.ts): the handler module, on request only. */
  initProfile?: boolean;
  /**
   * Report accesses to module-scope bindings from inside the handler module's functions
   * (cross-talk.ts, Managed Instances): only with `probe`.
   */
  crossTalk?: boolean;
}

/**
 * Source to compile for `filename`. Never throws on bad user syntax: it then returns the
 * source untouched (minus TypeScript, when sucrase itself could parse it) so that Node reports
 * the real SyntaxError with the user's own positions.
 */
export function instrumentModule(source: string, filename: string, format: ModuleFormat, options: InstrumentOptions): InstrumentResult {
  let code = source;
  if (isTypeScriptFile(filename)) {
    try {
      code = stripTypes(source, filename);
    } catch (error) {
      // Sucrase's message carries the position; surface it as the syntax error it is.
      const syntaxError = new SyntaxError(`${(error as Error).message} (${filename})`);
      throw syntaxError;
    }
  }
  const comments: CommentRange[] = [];
  const program = format === 'module' ? tryParse(code, 'module', comments) : tryParse(code, 'script', comments) ?? tryParse(code, 'module', comments);
  if (!program) return { code, bindings: [], frameRefusal: null };
  const parsedCode = code;
  const declared = topLevelBindings(program);
  let bindings: ModuleBinding[] = declared.map((b) => ({ ...b, binding: b.name }));
  if (format === 'commonjs' && isTypeScriptFile(filename) && hasModuleSyntax(program)) {
    const imports = declared.filter((b) => b.kind === 'import').map((b) => b.name);
    const converted = toCommonJs(code, imports);
    code = converted.code;
    bindings = bindings.map((b) => (b.kind === 'import' ? { ...b, ...(converted.access.get(b.name) ?? { binding: b.name }) } : b));
  }
  if (options.initProfile && !bindings.some((b) => b.name === options.hooks)) {
    // Before the frame hooks, so each label is the statement as the user wrote it.
    const root = tryParse(code, format === 'module' ? 'module' : 'script') ?? tryParse(code, 'module');
    if (root) code = instrumentInitProfile(code, (root as unknown as { body: Parameters<typeof instrumentInitProfile>[1] }).body, options.hooks);
  }
  // A module declaring the channel's own name (never by accident: it is drawn at random) would
  // shadow it: no probe then.
  const channelShadowed = bindings.some((b) => b.name === options.hooks);
  let crossTalk: CrossTalkSiteTable | undefined;
  if (options.crossTalk && options.probe && !channelShadowed) {
    // After the init profile (its labels quote the statements as written), before the frame
    // hooks (their positions must be those of the code V8 compiles).
    const root = tryParse(code, format === 'module' ? 'module' : 'script') ?? tryParse(code, 'module');
    if (root) {
      const tracked = new Set(bindings.filter((b) => b.kind !== 'import' && b.name !== 'arguments' && b.name !== 'eval').map((b) => b.binding));
      const instrumented = instrumentCrossTalk(code, root as unknown as AcornAnyNode, tracked, options.hooks);
      code = instrumented.code;
      crossTalk = instrumented.table;
    }
  }
  let frameRefusal: string | null = null;
  if (options.frameKeyPrefix) {
    // The TypeScript import rewrite changed the code: its hooks must name the new positions.
    const root = code === parsedCode ? program : tryParse(code, 'script', comments) ?? tryParse(code, 'module', comments);
    if (root) {
      const framed = instrumentFrames(code, root as unknown as AcornAnyNode, options.frameKeyPrefix, comments, options.hooks);
      code = framed.code;
      frameRefusal = framed.refusal;
    }
  }
  if (options.probe && !channelShadowed) code += `\n;${moduleProbeCall(options.hooks, bindings)}\n`;
  if (options.probe && frameRefusal) code += `;${options.hooks}.refused(${JSON.stringify(frameRefusal)});\n`;
  if (crossTalk && crossTalk.sites.length > 0) code += `${crossTalkTableCall(options.hooks, crossTalk)}\n`;
  return crossTalk ? { code, bindings, frameRefusal, crossTalk } : { code, bindings, frameRefusal };
}
