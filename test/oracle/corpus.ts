/**
 * The fixture corpus of the differential suite: each case is a handler setting, a task root,
 * the events of its invocations (one environment, in order) and the profiles it runs under.
 *
 * - fixtures/ric: the 3.x client's own test handlers (aws-lambda-ric 3.3.0, `test/handlers`,
 *   Apache-2.0, see its README); the cases follow `test/unit/UserFunctionTest.js`, except its
 *   "path to the handler does not exist" case: a task root that does not exist cannot start a
 *   process (the malformed name is covered by the case before it).
 * - fixtures/cases: what the 3.x and 4.x clients differ on (4.0.2 ships no tests: these are
 *   the equivalents, read from its bundled index.mjs), and Warm State's own cases.
 * - examples/freeze-demo: the project's demo.
 */
import { join, resolve } from 'node:path';
import type { OracleProfile } from '../../scripts/oracle/clients';
import type { OracleCase } from './outcome';

const ALL: readonly OracleProfile[] = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
const RIC = resolve(__dirname, 'fixtures/ric');
const HANDLERS = join(RIC, 'handlers');
const CASES = resolve(__dirname, 'fixtures/cases');
const EXAMPLES = resolve(__dirname, '../../examples');

/** Two invocations: enough to see whether the environment stayed warm after the first. */
const TWICE = [{}, {}];

function ric(name: string, handler: string, options: Partial<OracleCase> = {}): OracleCase {
  return { name: `ric: ${name}`, taskRoot: HANDLERS, handler, events: TWICE, profiles: ALL, ...options };
}

function own(name: string, handler: string, options: Partial<OracleCase> = {}): OracleCase {
  return { name, taskRoot: CASES, handler, events: TWICE, profiles: ALL, ...options };
}

export const CORPUS: OracleCase[] = [
  // ---- the 3.x client's UserFunctionTest, in its order ----
  ric('core.echo', 'core.echo', { events: ['This is a echo test', { second: true }] }),
  ric('nested export path', 'nestedHandler.nested.somethingComplex.handler'),
  ric('module root in the handler', 'handlers/nestedHandler.nested.somethingComplex.handler', { taskRoot: RIC }),
  ric('".." in the handler', 'malformed..handler'),
  ric('no dot in the handler', 'malformedHandler', { compareLogs: true }),
  ric('missing module', 'noModule.echo'),
  ric('missing nested export', 'nestedHandler.nested.somethingComplex.nonHandler'),
  ric('missing export', 'core.noFunctionHandler'),
  ric('.mjs module', 'esModule.echo', { events: ['This is a echo test'] }),
  ric('.cjs module', 'cjsModule.echo', { events: ['This is a echo test'] }),
  ric('extensionless file before .js', 'precedence.handler'),
  ric('.js before .mjs', 'precedenceJsVsMjs.handler'),
  ric('.mjs before .cjs', 'precedenceMjsVsCjs.handler'),
  ric('top-level await in .mjs', 'asyncInit.handler'),
  ric('top-level await in .js of a "type": "module" package', 'index.handler', { taskRoot: join(HANDLERS, 'async_init_package') }),
  ric('nested ESM package', 'index.handler', { taskRoot: join(HANDLERS, 'async_init_package/nested') }),
  ric('package.json without type below a module package', 'index.handler', { taskRoot: join(HANDLERS, 'async_init_package/nested/even/more') }),
  ric('module root below a module package', 'even/more/index.handler', { taskRoot: join(HANDLERS, 'async_init_package/nested') }),
  ric('type neither module nor commonjs', 'index.ret42', { taskRoot: join(HANDLERS, 'async_init_type_not_module') }),
  ric('type lookup stops at node_modules', 'node_modules/index.ret42', { taskRoot: join(HANDLERS, 'async_init_with_node_modules') }),
  ric('rejection during init', 'asyncInitRejection.handler', { events: [{}], compareLogs: true }),
  ric('CommonJS in a module package', 'cjsModuleInEsmPackage.echo', { taskRoot: join(HANDLERS, 'async_init_package') }),
  ric('CommonJS module.exports.default', 'defaultHandler.default'),
  ric('ESM export default', 'defaultHandlerESM.default'),
  ric('ESM with imports', 'esModuleImports.echo', { events: ['moon'], compareLogs: true }),
  ric('extensionless CommonJS', 'index.handler', { taskRoot: join(HANDLERS, 'extensionless') }),
  ric('extensionless ESM syntax', 'esm-extensionless.handler', { taskRoot: join(HANDLERS, 'extensionless') }),
  ric('extensionless CommonJS, "type": "commonjs"', 'cjs.handler', { taskRoot: join(HANDLERS, 'pkg/type-cjs') }),
  ric('extensionless ESM syntax, "type": "commonjs"', 'esm.handler', { taskRoot: join(HANDLERS, 'pkg/type-cjs') }),
  ric('extensionless CommonJS, "type": "module"', 'cjs.handler', { taskRoot: join(HANDLERS, 'pkg/type-esm') }),
  ric('extensionless ESM syntax, "type": "module"', 'esm.handler', { taskRoot: join(HANDLERS, 'pkg/type-esm') }),
  ric('.js CommonJS, "type": "commonjs"', 'cjsModule.handler', { taskRoot: join(HANDLERS, 'pkg/type-cjs') }),
  ric('.js ESM syntax, "type": "commonjs"', 'esmModule.handler', { taskRoot: join(HANDLERS, 'pkg/type-cjs') }),
  ric('.js ESM, "type": "module"', 'esmModule.handler', { taskRoot: join(HANDLERS, 'pkg/type-esm') }),
  ric('.js CommonJS syntax, "type": "module"', 'cjsModule.handler', { taskRoot: join(HANDLERS, 'pkg/type-esm') }),
  ric('.js ESM syntax, no type', 'esmModule.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.mjs with CommonJS syntax', 'cjsInMjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.cjs with ESM syntax', 'esmInCjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.js mixing both syntaxes', 'cjsAndMjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.mjs importing .cjs', 'esmImportCjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.cjs with a static import', 'cjsImportESM.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('.js requiring .cjs', 'cjsImportCjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  ric('require in .mjs', 'esmRequireCjs.handler', { taskRoot: join(HANDLERS, 'pkg-less') }),
  // From the client's repository after 3.3.0 (handlers the 4.x line tests).
  ric('async handler', 'isAsync.handlerAsync'),
  ric('sync handler returning a value', 'isAsync.handlerNotAsync'),
  ric('callback handler', 'isAsyncCallback.handler'),
  ric('beforeExit listeners, callback', 'beforeExitBehaviour.callbackWithTrueFlag', { compareLogs: true }),
  ric('beforeExit listeners, callback without waiting', 'beforeExitBehaviour.callbackWithFalseFlag', { compareLogs: true }),
  ric('beforeExit listeners, async', 'beforeExitBehaviour.asyncFunction', { compareLogs: true }),

  // ---- module state, sync returns, never-settled promises ----
  own('module state across warm invocations', 'counter.handler', { events: [{}, {}, {}] }),
  own('sync return, one parameter', 'sync-return.oneParameter', { events: [{ a: 1 }, { a: 2 }] }),
  own('sync return, two parameters', 'sync-return.twoParameters'),
  own('never-settled promise, empty event loop', 'never-settles.handler', { events: [{}, { settle: true }] }),

  // ---- callbacks and callbackWaitsForEmptyEventLoop ----
  own('callback waits for the empty event loop', 'callback.waits'),
  own('callback without waiting', 'callback.doesNotWait'),
  own('callback with an Error', 'callback.error'),
  own('callback with a string error', 'callback.errorString'),
  own('callback called twice', 'callback.calledTwice'),
  own('async handler with three parameters', 'callback.asyncWithThreeParameters'),
  own('context.succeed', 'callback.contextSucceed'),
  own('context.done', 'callback.contextDone'),

  // ---- errors ----
  own('throws synchronously', 'errors.throwsSync'),
  own('rejects with an Error subclass', 'errors.rejects'),
  own('rejects with a custom error name', 'errors.rejectsCustom'),
  own('rejects with a string', 'errors.rejectsString'),
  own('rejects with an object', 'errors.rejectsObject'),
  own('rejects with undefined', 'errors.rejectsUndefined'),
  own('unhandled rejection during the invocation', 'errors.unhandledRejection'),
  own('uncaught exception during the invocation', 'errors.uncaughtException'),
  own('process.exit during the invocation', 'errors.exits'),
  own('export is not a function', 'errors.notAFunction'),
  own('module throws during init', 'init-throws.handler', { compareLogs: true }),

  // ---- console lines: the request id outside an invocation ----
  own('console output at init and in invocations', 'console-lines.handler', { compareLogs: true }),

  // ---- module formats and the flags the runtime image sets ----
  own('require() of an ES module', 'require-esm/index.handler'),
  own('ESM default export object holding the handler', 'esm-default-object.handler'),
  own('a folder named as the module', 'dir-module.handler'),
  own('a package in node_modules named by the handler', 'oracle-package.handler'),

  // ---- response streaming ----
  own('streaming handler', 'streaming.handler'),
  own('streaming handler failing mid-stream', 'streaming.failsMidStream'),
  own('streaming handler that is not async', 'streaming.notAsync'),
  own('streaming with the HTTP integration prelude', 'streaming.httpIntegration'),
  own('streaming handler that never ends its stream', 'streaming.neverEnds'),

  // ---- what surrounds the handler ----
  own('the awslambda global', 'globals.awslambdaGlobal'),
  own('the context object', 'globals.contextShape'),
  own("the context object's clientContext, none given", 'globals.clientContext'),
  own("the context object's clientContext, Invoke's ClientContext given", 'globals.clientContext', { clientContext: { client: { app_title: 'café ☕' }, custom: { n: 1 }, env: { platform: 'oracle\n' } } }),
  own("Lambda's environment variables", 'globals.environment'),
  own('node flags of the runtime image', 'globals.nodeFlags'),

  // ---- the project's own example ----
  {
    name: 'freeze demo (callback handler, arrayB in the logs)',
    taskRoot: join(EXAMPLES, 'freeze-demo'),
    handler: 'handler.test',
    events: [{}, {}, {}],
    profiles: ALL,
    compareLogs: true,
  },
];
