import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  declaredExportsForFile,
  findFunctionForHandler,
  findFunctionsForHandler,
  parseHandlerString,
  resolveTemplateFunction,
  scanWorkspaceConfigs,
} from '../../src/core/config/index';
import { discoverConfigFiles, tomlTemplateFile } from '../../src/core/config/discover';
import { isNodeRuntime } from '../../src/core/config/runtime';

const fixtures = join(__dirname, '..', 'fixtures', 'config');

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('scanWorkspaceConfigs: discovery', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'warm-state-config-'));
    const fnTemplate = (handler: string) =>
      `Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: ${handler}\n      Runtime: nodejs20.x\n`;
    await mkdir(join(root, 'api'));
    await writeFile(join(root, 'api', 'template.yml'), fnTemplate('api.handler'));
    await writeFile(join(root, 'api', 'api.js'), 'exports.handler = async () => 1;\n');
    await mkdir(join(root, 'deep', 'deeper'), { recursive: true });
    await writeFile(join(root, 'deep', 'deeper', 'template.yaml'), fnTemplate('too.deep'));
    for (const skipped of ['node_modules', '.aws-sam', '.hidden']) {
      await mkdir(join(root, skipped));
      await writeFile(join(root, skipped, 'template.yaml'), fnTemplate('skip.me'));
    }
    await writeFile(join(root, 'serverless.yaml'), 'service: top\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  f:\n    handler: api/api.handler\n');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the top level and one folder down, skipping dependencies, build output and hidden folders', async () => {
    const found = await discoverConfigFiles(root);
    assert.deepEqual(
      found.map((f) => [f.file.slice(root.length + 1), f.kind]),
      [
        ['serverless.yaml', 'serverless'],
        [join('api', 'template.yml'), 'template'],
      ],
    );
    const scan = await scanWorkspaceConfigs(root);
    assert.deepEqual(scan.functions.map((f) => f.id), ['f', 'Fn']);
    assert.equal(scan.functions[1].sources.handler, 'api/template.yml Resources.Fn.Properties.Handler', 'names are relative to the root');
  });

  it('gives an empty scan for a folder without config, or one that does not exist', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'warm-state-empty-'));
    try {
      assert.deepEqual(await scanWorkspaceConfigs(empty), { root: empty, files: [], functions: [], problems: [] });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const missing = await scanWorkspaceConfigs(join(root, 'no-such-folder'));
    assert.deepEqual([missing.files, missing.functions, missing.problems], [[], [], []]);
  });

  it('ignores a template.json that is not a CloudFormation template', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'not-a-template'));
    assert.deepEqual([scan.files, scan.functions, scan.problems], [[], [], []]);
  });
});

describe('scanWorkspaceConfigs: samconfig', () => {
  it('reads template_file from samconfig.toml, preferring the default environment', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'samconfig-app'));
    assert.deepEqual(scan.files, [join(fixtures, 'samconfig-app', 'infra', 'app.yaml')]);
    const [worker] = scan.functions;
    assert.equal(worker.id, 'WorkerFunction');
    assert.equal(worker.handlerFile, join(fixtures, 'samconfig-app', 'functions', 'worker.cjs'));
    assert.deepEqual(worker.problems, []);
  });

  it('parses the TOML key in its quoting forms', () => {
    assert.equal(tomlTemplateFile('[default.build.parameters]\ntemplate_file = "a/b.yaml"\n'), 'a/b.yaml');
    assert.equal(tomlTemplateFile("[prod.deploy.parameters]\ntemplate_file = 'x.yaml' # comment\n"), 'x.yaml');
    assert.equal(tomlTemplateFile('[default.deploy.parameters]\nstack_name = "s"\n'), null);
  });

  it('reads samconfig.yaml as well', async () => {
    const root = await mkdtemp(join(tmpdir(), 'warm-state-samyaml-'));
    try {
      await writeFile(join(root, 'samconfig.yaml'), 'version: 0.1\ndefault:\n  global:\n    parameters:\n      template_file: stack.yaml\n');
      await writeFile(join(root, 'stack.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      Code:\n        ZipFile: "exports.handler = async () => 1"\n');
      const scan = await scanWorkspaceConfigs(root);
      assert.deepEqual(scan.functions.map((f) => [f.id, f.inlineCode]), [['Fn', true]]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('scanWorkspaceConfigs: broken files', () => {
  it('broken YAML gives one clear error with its line and no functions', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'broken-yaml'));
    assert.deepEqual(scan.functions, []);
    assert.equal(scan.problems.length, 1);
    const [problem] = scan.problems;
    assert.deepEqual([problem.severity, problem.file, problem.line], ['error', join(fixtures, 'broken-yaml', 'template.yaml'), 7]);
    assert.match(problem.message, /^template\.yaml:7: Flow sequence .*; its functions are ignored\.$/);
  });

  it('broken JSON gives one clear error with its line', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'broken-json'));
    assert.deepEqual(scan.functions, []);
    assert.equal(scan.problems.length, 1);
    assert.equal(scan.problems[0].line, 5);
    assert.match(scan.problems[0].message, /^template\.json:5: invalid JSON \(.+\); its functions are ignored\.$/);
  });

  it('a tab-indented serverless.yml gives one clear error with its line', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'broken-serverless'));
    assert.deepEqual(scan.functions, []);
    assert.deepEqual(scan.problems.map((p) => [p.severity, p.line]), [['error', 4]]);
    assert.match(scan.problems[0].message, /^serverless\.yml:4: Tabs are not allowed/);
  });

  it('a handler file that does not parse is a warning pointing into that file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'warm-state-badjs-'));
    try {
      await writeFile(join(root, 'template.yaml'), 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: nodejs20.x\n');
      await writeFile(join(root, 'app.js'), 'exports.handler = async () => {\n  return (;\n};\n');
      const scan = await scanWorkspaceConfigs(root);
      const [problem] = scan.functions[0].problems;
      assert.deepEqual([problem.severity, problem.file, problem.line], ['warning', join(root, 'app.js'), 2]);
      assert.match(problem.message, /^template\.yaml:5 Fn: Handler file .*app\.js:2 does not parse/);
      assert.equal(scan.functions[0].handlerFile, join(root, 'app.js'), 'the file is still known');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('handlers declared twice and lookups by handler', () => {
  it('warns on both functions when two files declare the same handler, and the first wins', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'duplicate'));
    const file = join(fixtures, 'duplicate', 'src', 'handler.js');
    assert.deepEqual(scan.functions.map((f) => [f.id, f.handlerFile]), [
      ['MainFunction', file],
      ['main', file],
    ]);
    for (const fn of scan.functions) {
      assert.equal(fn.problems.length, 1);
      assert.match(fn.problems[0].message, /is also declared by .*; local runs use the settings of template\.yaml MainFunction\.$/);
    }
    assert.equal(findFunctionForHandler(scan, file, 'main')?.id, 'MainFunction');
    assert.deepEqual(findFunctionsForHandler(scan, file, 'main').map((f) => f.id), ['MainFunction', 'main']);
    assert.equal(findFunctionForHandler(scan, file, 'other'), undefined);
    assert.equal(findFunctionForHandler(scan, join(fixtures, 'duplicate', 'nope.js'), 'main'), undefined);
  });

  it('lists the declared exports of a file for CodeLens certainty', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'serverless-app'));
    assert.deepEqual(declaredExportsForFile(scan, join(fixtures, 'serverless-app', 'src', 'handler.js')), ['create', 'list']);
    assert.deepEqual(declaredExportsForFile(scan, join(fixtures, 'serverless-app', 'other.js')), []);
  });
});

describe('resolveTemplateFunction (--template FILE --resource ID)', () => {
  it('finds the resource in the template of the current folder', async () => {
    const fn = await resolveTemplateFunction({ resource: 'HelloFunction', cwd: join(fixtures, 'sam-app') });
    assert.equal(fn.handlerFile, join(fixtures, 'sam-app', 'hello-world', 'app.mjs'));
    assert.equal(fn.timeoutSeconds, 10);
    assert.deepEqual(fn.problems.map((p) => p.message), ['template.yaml:47: unknown tag !Custom; its value is read as plain text.']);
  });

  it('takes an explicit template path relative to cwd, of either kind', async () => {
    const worker = await resolveTemplateFunction({ template: 'samconfig-app/infra/app.yaml', resource: 'WorkerFunction', cwd: fixtures });
    assert.equal(worker.handlerFile, join(fixtures, 'samconfig-app', 'functions', 'worker.cjs'));
    const create = await resolveTemplateFunction({ template: join(fixtures, 'serverless-app', 'serverless.yml'), resource: 'create', cwd: '/' });
    assert.equal(create.functionName, 'orders-dev-create');
  });

  it('uses samconfig.toml in the current folder', async () => {
    const fn = await resolveTemplateFunction({ resource: 'WorkerFunction', cwd: join(fixtures, 'samconfig-app') });
    assert.equal(fn.id, 'WorkerFunction');
  });

  it('lists the functions found when the resource is unknown', async () => {
    const err = await rejection(resolveTemplateFunction({ resource: 'Nope', cwd: join(fixtures, 'sam-app') }));
    assert.equal(err.message, 'No function "Nope" in template.yaml (functions found: HelloFunction, TypedFunction, MissingExportFunction, MissingFileFunction, PythonFunction).');
    assert.deepEqual(err.resources, ['HelloFunction', 'TypedFunction', 'MissingExportFunction', 'MissingFileFunction', 'PythonFunction']);
  });

  it('explains a folder without template, a missing file, a broken file and a non-template', async () => {
    const none = await rejection(resolveTemplateFunction({ resource: 'X', cwd: join(fixtures, 'cfn') }));
    assert.match(none.message, /^No template\.yaml, template\.yml, template\.json or serverless\.yml in .*cfn; pass --template FILE\.$/);
    const missing = await rejection(resolveTemplateFunction({ template: 'missing.yaml', resource: 'X', cwd: fixtures }));
    assert.match(missing.message, /^Cannot read template .*missing\.yaml: no such file\.$/);
    const broken = await rejection(resolveTemplateFunction({ resource: 'Fn', cwd: join(fixtures, 'broken-yaml') }));
    assert.match(broken.message, /^template\.yaml:7: Flow sequence/);
    const other = await rejection(resolveTemplateFunction({ template: 'not-a-template/template.json', resource: 'X', cwd: fixtures }));
    assert.match(other.message, /is neither a SAM\/CloudFormation template \(no Resources\) nor a serverless\.yml \(no service\)\.$/);
  });

  it('returns a function with its problems and lets the caller decide', async () => {
    const fn = await resolveTemplateFunction({ resource: 'PythonFunction', cwd: join(fixtures, 'sam-app') });
    assert.ok(fn.problems.some((p) => p.severity === 'error' && /not Node\.js/.test(p.message)));
  });
});

describe('runtime helpers', () => {
  it('isNodeRuntime', () => {
    assert.deepEqual(['nodejs20.x', 'nodejs', 'python3.12', 'provided.al2023', 'java21'].map(isNodeRuntime), [true, true, false, false, false]);
  });

  it('parseHandlerString splits the last path segment at its first dot', () => {
    assert.deepEqual(parseHandlerString('src/app.handler'), { modulePath: 'src/app', exportName: 'handler', nestedPath: [] });
    assert.deepEqual(parseHandlerString('a.b/c/index.main.inner'), { modulePath: 'a.b/c/index', exportName: 'main', nestedPath: ['inner'] });
    assert.equal(parseHandlerString('nodot'), null);
    assert.equal(parseHandlerString('.handler'), null);
    assert.equal(parseHandlerString('app.'), null);
  });
});
