import { strict as assert } from 'node:assert';
import type { FunctionConfig } from '../../src/core/config/types';
import { DEFAULT_BUDGETS } from '../../src/core/runtime/environment-api';
import { chooseHandlerRuntime, resolveFunctionSettings } from '../../src/vscode/function-settings';
import { editorRuntimeNotice, nodeMajor, resolveNodeRuntime, type NodeRuntimeInput } from '../../src/vscode/node-runtime';
import { readSettings, type SettingsReader } from '../../src/vscode/settings';

function reader(values: Record<string, unknown>, explicit: string[] = Object.keys(values)): SettingsReader {
  return { get: (key) => values[key], isExplicit: (key) => explicit.includes(key) };
}

describe('extension: settings', () => {
  it('falls back to the defaults when nothing is set', () => {
    const settings = readSettings(reader({}));
    assert.deepEqual(settings, {
      nodePath: '',
      runtime: '',
      timeoutSeconds: 3,
      memoryMB: 128,
      freeze: true,
      budgets: DEFAULT_BUDGETS,
      codeLensEnabled: true,
      environmentVariables: {},
      historyLength: 200,
      initProfile: false,
      managedConcurrency: 0,
      maxWorkers: 4,
      explicit: { timeoutSeconds: false, memoryMB: false },
    });
  });

  it('reads the Managed Instances settings, clamped to what the engine accepts', () => {
    const settings = readSettings(reader({ 'managedInstances.concurrency': 8, 'managedInstances.maxWorkers': 500 }));
    assert.equal(settings.managedConcurrency, 8);
    assert.equal(settings.maxWorkers, 64);
    assert.equal(readSettings(reader({ 'managedInstances.concurrency': -3 })).managedConcurrency, 0);
  });

  it('reads every setting and records which were set explicitly', () => {
    const settings = readSettings(reader({
      nodePath: '/opt/node22/bin/node',
      timeoutSeconds: 10,
      memoryMB: 512,
      freeze: false,
      'capture.depth': 6,
      'capture.items': 100,
      'capture.stringLength': 1000,
      'capture.nodes': 5000,
      'codeLens.enabled': false,
      environmentVariables: { TABLE: 'local', PORT: 8080, DEBUG: true },
      historyLength: 1000,
      runtime: ' nodejs22.x ',
      initProfile: true,
    }));
    assert.equal(settings.initProfile, true);
    assert.equal(settings.nodePath, '/opt/node22/bin/node');
    assert.equal(settings.runtime, 'nodejs22.x');
    assert.deepEqual([settings.timeoutSeconds, settings.memoryMB, settings.freeze, settings.codeLensEnabled, settings.historyLength], [10, 512, false, false, 1000]);
    assert.deepEqual(settings.budgets, { depth: 6, items: 100, stringLength: 1000, nodes: 5000 });
    assert.deepEqual(settings.environmentVariables, { TABLE: 'local', PORT: '8080', DEBUG: 'true' });
    assert.deepEqual(settings.explicit, { timeoutSeconds: true, memoryMB: true });
  });

  it('clamps out-of-range values and ignores values of the wrong type', () => {
    const settings = readSettings(reader({ timeoutSeconds: 0, memoryMB: 1e9, historyLength: -5, 'capture.depth': 'deep', freeze: 'yes', environmentVariables: ['A=1'] }));
    assert.deepEqual([settings.timeoutSeconds, settings.memoryMB, settings.historyLength, settings.budgets.depth, settings.freeze], [0.1, 10240, 1, DEFAULT_BUDGETS.depth, true]);
    assert.deepEqual(settings.environmentVariables, {});
  });

  it('drops environment variable names a shell could not set', () => {
    assert.deepEqual(readSettings(reader({ environmentVariables: { 'OK_1': 'a', 'bad-name': 'b', '1X': 'c', NESTED: { a: 1 } } })).environmentVariables, { OK_1: 'a' });
  });
});

function declared(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    id: 'test',
    kind: 'serverless',
    configFile: '/w/serverless.yml',
    line: 8,
    handler: 'handler.test',
    codeDir: '/w',
    handlerFile: '/w/handler.js',
    exportName: 'test',
    nestedPath: [],
    runtime: 'nodejs20.x',
    timeoutSeconds: 6,
    memoryMB: 1024,
    architecture: 'x86_64',
    environment: { TABLE: 'orders-dev', STAGE: 'dev' },
    unresolvedEnvironment: { QUEUE_URL: '!Ref Queue' },
    unresolvedSettings: {},
    functionName: 'demo-dev-test',
    inlineCode: false,
    sources: { timeoutSeconds: 'Serverless Framework default', memoryMB: 'serverless.yml provider.memorySize', runtime: 'serverless.yml provider.runtime' },
    problems: [],
    ...overrides,
  };
}

describe('extension: function settings from templates', () => {
  const relative = (path: string): string => path.replace('/w/', '');

  it('uses the settings (or Lambda defaults) when no template declares the handler', () => {
    const plain = resolveFunctionSettings(readSettings(reader({})), 'handler', undefined, relative);
    assert.equal(plain.view.source, 'defaults');
    assert.deepEqual([plain.timeoutSeconds, plain.memoryMB, plain.handlerExport, plain.taskRoot, plain.runtime], [3, 128, 'handler', undefined, undefined]);
    const set = resolveFunctionSettings(readSettings(reader({ timeoutSeconds: 30 })), 'handler', undefined, relative);
    assert.equal(set.view.source, 'settings');
    assert.equal(set.timeoutSeconds, 30);
  });

  it('runs a declared function with its timeout, memory, environment, code folder and name', () => {
    const resolved = resolveFunctionSettings(readSettings(reader({ timeoutSeconds: 30 })), 'test', declared(), relative);
    assert.deepEqual([resolved.timeoutSeconds, resolved.memoryMB, resolved.taskRoot, resolved.functionName, resolved.runtime], [6, 1024, '/w', 'demo-dev-test', { profile: 'nodejs20.x', source: 'template' }]);
    assert.deepEqual(resolved.env, { TABLE: 'orders-dev', STAGE: 'dev' });
    assert.equal(resolved.view.source, 'serverless');
    assert.match(resolved.view.sourceDetail ?? '', /^serverless\.yml \(function test\); timeout from Serverless Framework default; memory from serverless\.yml provider\.memorySize/);
  });

  it('lets warmState.environmentVariables override template values and says so', () => {
    const resolved = resolveFunctionSettings(readSettings(reader({ environmentVariables: { TABLE: 'local-orders', QUEUE_URL: 'http://localhost:9324/q' } })), 'test', declared(), relative);
    assert.deepEqual(resolved.env, { TABLE: 'local-orders', STAGE: 'dev', QUEUE_URL: 'http://localhost:9324/q' });
    assert.match(resolved.view.sourceDetail ?? '', /overridden by warmState\.environmentVariables: TABLE/);
    assert.deepEqual(resolved.notes, [], 'QUEUE_URL is set locally, so nothing is missing');
  });

  it('explains variables left unset because their value is only known in AWS', () => {
    const resolved = resolveFunctionSettings(readSettings(reader({})), 'test', declared(), relative);
    assert.equal(resolved.env.QUEUE_URL, undefined);
    assert.match(resolved.notes[0], /QUEUE_URL = !Ref Queue/);
  });

  it('maps CloudFormation to the SAM source, keeps nested handler paths, and passes template problems on', () => {
    const resolved = resolveFunctionSettings(readSettings(reader({})), 'app', declared({ kind: 'cloudformation', id: 'Fn', configFile: '/w/template.yaml', nestedPath: ['inner'], exportName: 'app', functionName: null, problems: [{ severity: 'warning', file: '/w/template.yaml', message: 'template.yaml:3 Fn: two templates declare this handler.' }] }), relative);
    assert.equal(resolved.view.source, 'sam');
    assert.equal(resolved.handlerExport, 'app.inner');
    assert.equal(resolved.functionName, 'Fn');
    assert.ok(resolved.notes.includes('template.yaml:3 Fn: two templates declare this handler.'));
  });
});

describe('extension: the runtime profile of a handler', () => {
  const relative = (path: string): string => path.replace('/w/', '');

  it('takes warmState.runtime over the template, the template over the local node, and says where each came from', () => {
    assert.deepEqual(chooseHandlerRuntime({ runtime: 'nodejs24.x' }, declared(), 'v22.3.0', relative)?.view, { profile: 'nodejs24.x', source: 'setting', origin: 'from the warmState.runtime setting' });
    assert.deepEqual(chooseHandlerRuntime({ runtime: '' }, declared({ runtime: 'nodejs22.x' }), 'v24.1.0', relative)?.view, { profile: 'nodejs22.x', source: 'template', origin: 'from serverless.yml' });
    assert.deepEqual(chooseHandlerRuntime({ runtime: '' }, undefined, 'v24.1.0', relative)?.view, { profile: 'nodejs24.x', source: 'node-major', origin: 'from the local Node 24' });
  });

  it('has no choice while only an unknown node could make it (a restricted workspace runs nothing)', () => {
    assert.equal(chooseHandlerRuntime({ runtime: '' }, undefined, null), null);
    assert.equal(chooseHandlerRuntime({ runtime: '' }, declared(), null)?.profile, 'nodejs20.x');
  });

  it('notes a fallback and a setting that names no runtime, and still chooses', () => {
    const fallback = chooseHandlerRuntime({ runtime: '' }, declared({ runtime: 'nodejs26.x' }), 'v20.1.0', relative);
    assert.equal(fallback?.profile, 'nodejs24.x');
    assert.match(fallback?.notes.join(' ') ?? '', /nodejs26\.x is not one Warm State models; running as nodejs24\.x/);
    const ignored = chooseHandlerRuntime({ runtime: 'nodejs18.x' }, declared(), 'v20.1.0', relative);
    assert.equal(ignored?.source, 'template');
    assert.match(ignored?.notes.join(' ') ?? '', /Unknown runtime 'nodejs18\.x' in the warmState\.runtime setting/);
  });
});

describe('extension: which node runs handlers', () => {
  const files = new Set(['/usr/local/bin/node', '/opt/node22/bin/node', '/home/u/.nvm/node20']);
  const input = (overrides: Partial<NodeRuntimeInput>): NodeRuntimeInput => ({
    setting: '',
    pathEnv: '/usr/bin:/usr/local/bin',
    platform: 'linux',
    execPath: '/opt/editor/code',
    isExecutableFile: (path) => files.has(path),
    ...overrides,
  });

  it('uses node from PATH by default', () => {
    assert.deepEqual(resolveNodeRuntime(input({})), { ok: true, runtime: { path: '/usr/local/bin/node', source: 'path' } });
  });

  it('uses the setting, as a path or as a command looked up on PATH', () => {
    assert.deepEqual(resolveNodeRuntime(input({ setting: '/opt/node22/bin/node' })), { ok: true, runtime: { path: '/opt/node22/bin/node', source: 'setting' } });
    assert.deepEqual(resolveNodeRuntime(input({ setting: 'node' })), { ok: true, runtime: { path: '/usr/local/bin/node', source: 'setting' } });
  });

  it('never falls back silently when the setting names nothing runnable', () => {
    const result = resolveNodeRuntime(input({ setting: '/nope/node' }));
    assert.ok(!result.ok && /warmState\.nodePath is "\/nope\/node"/.test(result.message));
    const onPath = resolveNodeRuntime(input({ setting: 'node18' }));
    assert.ok(!onPath.ok && /on PATH/.test(onPath.message));
  });

  it("falls back to the editor's runtime run as node when PATH has no node", () => {
    assert.deepEqual(resolveNodeRuntime(input({ pathEnv: '/usr/bin' })), { ok: true, runtime: { path: '/opt/editor/code', source: 'editor', nodeEnv: { ELECTRON_RUN_AS_NODE: '1' } } });
    assert.match(editorRuntimeNotice('20.18.1'), /editor's own runtime \(Node 20\.18\.1\).*warmState\.nodePath/);
  });

  it('looks for node.exe with PATHEXT on Windows', () => {
    const windows = input({ platform: 'win32', pathEnv: 'C:\\Windows;C:\\Program Files\\nodejs\\', pathExt: '.COM;.EXE', isExecutableFile: (path) => path === 'C:\\Program Files\\nodejs\\node.EXE' });
    assert.deepEqual(resolveNodeRuntime(windows), { ok: true, runtime: { path: 'C:\\Program Files\\nodejs\\node.EXE', source: 'path' } });
  });

  it('reads major versions', () => {
    assert.equal(nodeMajor('v20.11.1'), 20);
    assert.equal(nodeMajor('22.1.0'), 22);
    assert.equal(nodeMajor(null), undefined);
  });
});
