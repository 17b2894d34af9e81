/**
 * A local environment given the function's Handler setting loads the module as the profile's
 * runtime interface client does, in a real child process: a malformed setting or a missing
 * module is the invocation's init error (and the next invocation tries init again), dotted
 * export paths, extensionless files and node_modules packages run, and module scope is
 * captured on every way of loading (4.x imports everything). The differential suite compares
 * the same against the real clients; this one runs in `npm test`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawInvocation, RuntimeProfileName } from '../../src/core/model/snapshot';
import { EnvironmentPool } from './environment-helpers';

describe('engine: handler loading by the Handler setting', function () {
  this.timeout(60_000);
  const pool = new EnvironmentPool();
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'warm-loading-'));
    const files: Record<string, string> = {
      // Extensionless, and preferred over app.js, as both clients prefer it.
      app: 'let calls = 0;\nmodule.exports.nested = { deep: { handler: async () => ({ from: "extensionless", calls: ++calls }) } };\n',
      'app.js': 'module.exports.nested = { deep: { handler: async () => ({ from: "app.js" }) } };\n',
      'default-object.mjs': 'let calls = 0;\nexport default { handler: async () => ({ calls: ++calls }) };\n',
      'dir-module/index.js': 'exports.handler = async () => "from the folder";\n',
      'node_modules/packaged/package.json': '{"name":"packaged","main":"main.js"}',
      'node_modules/packaged/main.js': 'let calls = 0;\nexports.handler = async () => ({ packaged: ++calls });\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
  });

  after(async () => {
    await pool.disposeAll();
    rmSync(root, { recursive: true, force: true });
  });

  /** An environment for a Handler setting, with the host's reading of it as the CLI makes it. */
  function environment(handler: string, runtime: RuntimeProfileName = 'nodejs20.x') {
    const dot = handler.indexOf('.', handler.lastIndexOf('/') + 1);
    const file = join(root, dot < 0 ? handler : handler.slice(0, dot));
    return pool.create({ file, handlerExport: dot < 0 ? '' : handler.slice(dot + 1), handler, taskRoot: root, runtime, handlerWarnings: ['a check warned'] });
  }

  function initError(record: RawInvocation): [string, string] {
    assert.equal(record.cold, true);
    assert.equal(record.reset, 'init-error');
    assert.ok(record.error);
    return [record.error.errorType, record.error.errorMessage];
  }

  it('a malformed setting is an init error of the invocation, and the next one tries init again', async () => {
    const env = environment('malformed..handler');
    const first = await env.invoke({});
    assert.deepEqual(initError(first), ['Runtime.MalformedHandlerName', "'malformed..handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."]);
    assert.deepEqual(first.handlerWarnings, ['a check warned']);
    const second = await env.invoke({});
    assert.deepEqual(initError(second), ['Runtime.MalformedHandlerName', first.error?.errorMessage]);
    assert.equal(second.generation, first.generation + 1, 'a new process tried init');
    assert.deepEqual(initError(await environment('noDot').invoke({})), ['Runtime.MalformedHandlerName', 'Bad handler']);
  });

  it('a missing module is Runtime.ImportModuleError naming the bare module, as the last resort resolve does', async () => {
    const [type, message] = initError(await environment('noModule.handler').invoke({}));
    assert.equal(type, 'Runtime.ImportModuleError');
    assert.match(message, /^Error: Cannot find module 'noModule'\nRequire stack:\n- .*index\.mjs$/);
  });

  it('runs a dotted export path of an extensionless file (before app.js), module scope captured', async () => {
    const env = environment('app.nested.deep.handler');
    await env.invoke({});
    const second = await env.invoke({});
    assert.equal(second.error, null, JSON.stringify(second.error));
    assert.deepEqual(second.response, { from: 'extensionless', calls: 2 });
    assert.equal(second.captureError, null);
    assert.deepEqual(second.moduleScope?.map((v) => v.name), ['calls']);
    assert.equal(second.handlerWarnings, undefined, 'only init failures carry the checks');
  });

  it('a package in node_modules named by the setting runs (require.resolve from the task root)', async () => {
    const record = await environment('packaged.handler').invoke({});
    assert.equal(record.error, null, JSON.stringify(record.error));
    assert.deepEqual(record.response, { packaged: 1 });
    assert.deepEqual(record.moduleScope?.map((v) => v.name), ['calls']);
  });

  it('nodejs24.x finds the handler under an ES module\'s default export object and captures its module scope; nodejs20.x does not', async () => {
    const env = environment('default-object.handler', 'nodejs24.x');
    await env.invoke({});
    const second = await env.invoke({});
    assert.equal(second.error, null, JSON.stringify(second.error));
    assert.deepEqual(second.response, { calls: 2 });
    assert.ok(second.moduleScope?.some((v) => v.name === 'calls'), JSON.stringify(second.moduleScope?.map((v) => v.name)));
    assert.deepEqual(initError(await environment('default-object.handler').invoke({})), ['Runtime.HandlerNotFound', 'default-object.handler is undefined or not exported']);
  });

  it('a folder named as the module: 3.x requires its index.js, 4.x fails importing it, naming the importer as Lambda does', async () => {
    const required = await environment('dir-module.handler').invoke({});
    assert.equal(required.response, 'from the folder', JSON.stringify(required.error));
    const [type, message] = initError(await environment('dir-module.handler', 'nodejs24.x').invoke({}));
    assert.equal(type, 'Error');
    assert.match(message, /^Directory import '.*dir-module' is not supported resolving ES modules imported from .*[\\/]index\.mjs\n/);
  });

  it('nodejs24.x imports a CommonJS file and still captures its module scope', async () => {
    const env = environment('app.nested.deep.handler', 'nodejs24.x');
    const record = await env.invoke({});
    assert.equal(record.error, null, JSON.stringify(record.error));
    assert.deepEqual(record.response, { from: 'extensionless', calls: 1 });
    assert.deepEqual(record.moduleScope?.map((v) => v.name), ['calls']);
  });
});
