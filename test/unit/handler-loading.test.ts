/**
 * Handler loading as the runtime interface clients do it: the Handler setting's parts, which
 * file each client loads and how, the export path walk, and the template's static checks that
 * only warn. docs/runtime-profiles.md cites the client functions these follow.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHandlerSetting } from '../../src/core/lambda/handler-setting';
import { clientThreeTypeIsModule, findHandler, planFileLoad, planModuleLoad } from '../../src/core/runtime/child/services/client-loader';
import { checkHandlerFile } from '../../src/core/config/handler-file';

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'warm-loading-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const noWarning = (): void => assert.fail('no package.json warning expected');

describe('the Handler setting as the clients read it', () => {
  it('splits the module root, the module up to the first dot and the dotted export path', () => {
    assert.deepEqual(parseHandlerSetting('nestedHandler.nested.somethingComplex.handler'), { moduleRoot: '', moduleName: 'nestedHandler', exportPath: 'nested.somethingComplex.handler' });
    assert.deepEqual(parseHandlerSetting('a.b/c/index.main'), { moduleRoot: 'a.b/c/', moduleName: 'index', exportPath: 'main' });
  });

  it('refuses ".." and a setting without a dot with the clients\' texts', () => {
    assert.deepEqual(parseHandlerSetting('malformed..handler'), {
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage: "'malformed..handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
      trace: [],
    });
    assert.deepEqual(parseHandlerSetting('malformedHandler'), { errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler', trace: [] });
  });
});

describe('which file each client loads, and how', () => {
  const setting = { moduleRoot: '', moduleName: 'app', exportPath: 'handler' };

  it('3.x: the extensionless file first (require), .js by its own type walk, .mjs (import), .cjs (require), then TypeScript', () => {
    const root = folder({ app: '', 'app.js': '', 'app.mjs': '', 'app.cjs': '', 'app.ts': '' });
    const plan = planModuleLoad(3, root, setting, noWarning);
    assert.deepEqual(plan.steps.map((s) => [s.file.slice(root.length + 1), s.via]), [
      ['app', 'require'],
      ['app.js', 'require'],
      ['app.mjs', 'import'],
      ['app.cjs', 'require'],
      ['app.ts', 'require'],
    ]);
    assert.deepEqual(plan.fallback, { moduleName: 'app', paths: [root, ''] });
  });

  it('3.x: a .js in a "type": "module" package is imported', () => {
    const root = folder({ 'package.json': '{"type":"module"}', 'app.js': '' });
    assert.deepEqual(planModuleLoad(3, root, setting, noWarning).steps.map((s) => s.via), ['import']);
  });

  it('4.x: everything through import(), in the order "", .js, .mjs, .cjs', () => {
    const root = folder({ app: '', 'app.js': '', 'app.mjs': '', 'app.cjs': '' });
    const plan = planModuleLoad(4, root, { ...setting, moduleRoot: 'sub/' }, noWarning);
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(plan.fallback, { moduleName: 'app', paths: [root, join(root, 'sub/')] });
    assert.deepEqual(planModuleLoad(4, root, setting, noWarning).steps.map((s) => [s.file.slice(root.length + 1), s.via]), [
      ['app', 'import'],
      ['app.js', 'import'],
      ['app.mjs', 'import'],
      ['app.cjs', 'import'],
    ]);
  });

  it('3.x type walk: node_modules stops it, an unreadable package.json warns and counts as CommonJS, null is skipped', () => {
    const root = folder({ 'package.json': '{"type":"module"}', 'node_modules/x/a.js': '', 'sub/a.js': '', 'broken/package.json': '{', 'nulled/package.json': 'null' });
    assert.equal(clientThreeTypeIsModule(join(root, 'node_modules'), noWarning), false);
    assert.equal(clientThreeTypeIsModule(join(root, 'node_modules', 'x'), noWarning), false, 'reaching node_modules on the way up stops it too');
    assert.equal(clientThreeTypeIsModule(join(root, 'sub'), noWarning), true);
    const warnings: string[] = [];
    assert.equal(clientThreeTypeIsModule(join(root, 'broken'), (text) => warnings.push(text)), false);
    assert.deepEqual(warnings, [`${join(root, 'broken', 'package.json')} cannot be read, it will be ignored for ES module detection purposes.`]);
    assert.equal(clientThreeTypeIsModule(join(root, 'nulled'), noWarning), true);
  });

  it('a file named directly: 3.x requires it unless .mjs or a module .js, 4.x imports it', () => {
    const root = folder({ 'package.json': '{"type":"module"}', 'app.js': '', 'lib.cjs': '' });
    assert.equal(planFileLoad(3, join(root, 'app.js'), noWarning).steps[0]?.via, 'import');
    assert.equal(planFileLoad(3, join(root, 'lib.cjs'), noWarning).steps[0]?.via, 'require');
    assert.equal(planFileLoad(4, join(root, 'lib.cjs'), noWarning).steps[0]?.via, 'import');
  });
});

describe('the export path walk', () => {
  const fn = (): string => 'found';

  it('3.x walks through any truthy value, functions included', () => {
    const holder = Object.assign(() => undefined, { inner: fn });
    assert.equal(findHandler(3, { a: holder }, ['a', 'inner']), fn);
  });

  it('4.x walks through objects only and tries again under default', () => {
    const holder = Object.assign(() => undefined, { inner: fn });
    assert.equal(findHandler(4, { a: holder }, ['a', 'inner']), undefined);
    assert.equal(findHandler(4, { default: { handler: fn } }, ['handler']), fn);
    assert.equal(findHandler(3, { default: { handler: fn } }, ['handler']), undefined);
  });
});

describe('template checks of the handler only warn', () => {
  it('finds an extensionless file and does not judge a dotted export path', async () => {
    const root = folder({ index: 'module.exports.nested = { handler: async () => 1 };' });
    const check = await checkHandlerFile('index.nested.handler', root);
    assert.equal(check.file, join(root, 'index'));
    assert.equal(check.problem, null);
  });

  it('a malformed name or a missing file is a warning naming what Lambda answers', async () => {
    const root = folder({});
    const malformed = await checkHandlerFile('handler', root);
    assert.equal(malformed.problem?.severity, 'warning');
    assert.match(malformed.problem?.message ?? '', /Runtime\.MalformedHandlerName \(Bad handler\)/);
    const dots = await checkHandlerFile('../up.handler', root);
    assert.match(dots.problem?.message ?? '', /Runtime\.MalformedHandlerName/);
    const missing = await checkHandlerFile('nothere.handler', root);
    assert.equal(missing.problem?.severity, 'warning');
    assert.match(missing.problem?.message ?? '', /Runtime\.ImportModuleError/);
  });
});
