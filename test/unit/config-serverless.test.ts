import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { scanWorkspaceConfigs } from '../../src/core/config/scan';
import { readServerless } from '../../src/core/config/serverless';
import { ServerlessVariables } from '../../src/core/config/serverless-variables';
import type { ConfigScan, FunctionConfig } from '../../src/core/config/types';

const fixtures = join(__dirname, '..', 'fixtures', 'config');

function fn(scan: ConfigScan, id: string): FunctionConfig {
  const found = scan.functions.find((f) => f.id === id);
  assert.ok(found, `function ${id}`);
  return found;
}

function variables(config: Record<string, unknown>, env: Record<string, string> = {}, options: Record<string, string> = {}): ServerlessVariables {
  return new ServerlessVariables({ config, env, options });
}

describe('serverless variables', () => {
  const config = {
    service: 'shop',
    custom: { table: '${self:service}-${sls:stage}', sizes: { dev: 256, prod: 1024 }, nested: { a: 1 } },
    provider: { stage: "${opt:stage, 'dev'}", region: 'eu-central-1' },
  };

  it('resolves self, sls:stage, opt fallbacks, env and aws:region', () => {
    const v = variables(config, { TOKEN: 't0k' });
    assert.deepEqual(v.resolve('${self:custom.table}'), { value: 'shop-dev', unresolved: false });
    assert.deepEqual(v.resolve('${env:TOKEN}/${aws:region}'), { value: 't0k/eu-central-1', unresolved: false });
    assert.deepEqual(v.resolve("${env:MISSING, 'fallback, with comma'}"), { value: 'fallback, with comma', unresolved: false });
    assert.deepEqual(v.resolve('${env:MISSING, self:service}'), { value: 'shop', unresolved: false });
    assert.deepEqual(v.stage(), { value: 'dev', known: true });
  });

  it('resolves nested variables innermost first and keeps types of whole-string variables', () => {
    const v = variables(config);
    assert.deepEqual(v.resolve('${self:custom.sizes.${sls:stage}}'), { value: 256, unresolved: false });
    assert.deepEqual(v.resolve('${self:custom.nested}'), { value: { a: 1 }, unresolved: false });
    assert.deepEqual(v.resolve({ list: ['${self:service}', 3] }), { value: { list: ['shop', 3] }, unresolved: false });
  });

  it('uses --stage options over provider.stage', () => {
    const v = variables(config, {}, { stage: 'prod' });
    assert.deepEqual(v.resolve('${self:custom.sizes.${sls:stage}}'), { value: 1024, unresolved: false });
  });

  it('leaves ssm, cf, file and missing env visible and marks them unresolved', () => {
    const v = variables(config);
    assert.deepEqual(v.resolve('${ssm:/shop/${sls:stage}/key}'), { value: '${ssm:/shop/dev/key}', unresolved: true });
    assert.deepEqual(v.resolve('prefix-${cf:other.Output}-${self:service}'), { value: 'prefix-${cf:other.Output}-shop', unresolved: true });
    assert.deepEqual(v.resolve('${file(./env.yml):KEY}'), { value: '${file(./env.yml):KEY}', unresolved: true });
    assert.deepEqual(v.resolve('${env:NOPE}'), { value: '${env:NOPE}', unresolved: true });
    assert.deepEqual(v.resolve('${self:custom.missing}'), { value: '${self:custom.missing}', unresolved: true });
  });

  it('does not loop on self references', () => {
    const v = variables({ service: 's', custom: { a: '${self:custom.b}', b: '${self:custom.a}' } });
    assert.equal(v.resolve('${self:custom.a}').unresolved, true);
  });
});

describe('serverless.yml functions', () => {
  let scan: ConfigScan;
  before(async () => {
    scan = await scanWorkspaceConfigs(join(fixtures, 'serverless-app'), { AWS_REGION: 'us-west-2', HOME_DIR: '/home/x' });
  });

  it('lists each function with its line and handler file', () => {
    assert.deepEqual(scan.functions.map((f) => [f.id, f.kind, f.line]), [
      ['create', 'serverless', 26],
      ['list', 'serverless', 32],
      ['broken', 'serverless', 37],
    ]);
    const create = fn(scan, 'create');
    assert.equal(create.handler, 'src/handler.create');
    assert.equal(create.handlerFile, join(fixtures, 'serverless-app', 'src', 'handler.js'));
    assert.equal(create.exportName, 'create');
    assert.equal(fn(scan, 'list').exportName, 'list');
  });

  it('merges provider defaults, function values winning, with sources', () => {
    const create = fn(scan, 'create');
    assert.deepEqual([create.runtime, create.timeoutSeconds, create.memoryMB, create.architecture], ['nodejs20.x', 29, 256, 'arm64']);
    assert.equal(create.sources.timeoutSeconds, 'serverless.yml functions.create.timeout');
    assert.equal(create.sources.memoryMB, 'serverless.yml provider.memorySize (${self:custom.memory.${sls:stage}})');
    const list = fn(scan, 'list');
    assert.deepEqual([list.runtime, list.timeoutSeconds, list.memoryMB], ['nodejs22.x', 20, 128]);
    assert.equal(list.sources.runtime, 'serverless.yml functions.list.runtime');
  });

  it('merges environments and resolves variables, leaving ssm visible and unset', () => {
    const create = fn(scan, 'create');
    assert.deepEqual(create.environment, {
      REGION: 'us-west-2',
      HOME_DIR: '/home/x',
      FALLBACK: 'fallback-value',
      TABLE: 'override-table',
      ONLY_HERE: 'yes',
    });
    assert.deepEqual(create.unresolvedEnvironment, { API_KEY: '${ssm:/orders/dev/api-key}' });
    assert.equal(fn(scan, 'list').environment.TABLE, 'orders-dev-table');
    assert.equal(create.sources['environment.TABLE'], 'serverless.yml functions.create.environment.TABLE');
    assert.equal(fn(scan, 'list').sources['environment.TABLE'], 'serverless.yml provider.environment.TABLE (${self:custom.tableName})');
  });

  it('names deployed functions service-stage-key unless name is set', () => {
    assert.equal(fn(scan, 'create').functionName, 'orders-dev-create');
    assert.equal(fn(scan, 'list').functionName, 'orders-list-explicit');
  });

  it('explains a handler whose file is missing', () => {
    const broken = fn(scan, 'broken');
    assert.equal(broken.problems.length, 1);
    assert.equal(broken.problems[0].line, 38);
    assert.match(broken.problems[0].message, /^serverless\.yml:38 broken: Handler "src\/missing\.handler": no file src\/missing\.js/);
    assert.deepEqual(scan.problems, broken.problems);
  });

  it('uses Serverless defaults (6 s, 1024 MB), not Lambda ones, and reports odd values', async () => {
    const text = [
      'service: minimal',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      '  timeout: soon',
      'functions:',
      '  a:',
      '    handler: a.handler',
    ].join('\n');
    const result = await readServerless({ file: join(fixtures, 'serverless-app', 'virtual.yml'), display: 'virtual.yml', text }, {});
    const [a] = result.functions;
    assert.deepEqual([a.timeoutSeconds, a.memoryMB, a.sources.memoryMB], [6, 1024, 'Serverless Framework default']);
    assert.equal(a.functionName, 'minimal-dev-a');
    const messages = a.problems.map((p) => p.message);
    assert.ok(messages.some((m) => m === 'virtual.yml:5 a: timeout "soon" is not a positive number; the default is used.'), messages.join('\n'));
  });

  it('keeps unresolvable names visible and ignores non-AWS providers', async () => {
    const file = join(fixtures, 'serverless-app', 'virtual.yml');
    const unresolved = await readServerless(
      { file, display: 'virtual.yml', text: 'service: ${ssm:/name}\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: src/handler.create\n' },
      {},
    );
    assert.equal(unresolved.functions[0].functionName, null);
    assert.equal(unresolved.functions[0].unresolvedSettings.functionName, '${ssm:/name}-dev-a');
    const azure = await readServerless({ file, display: 'virtual.yml', text: 'service: x\nprovider:\n  name: azure\nfunctions:\n  a:\n    handler: h.a\n' }, {});
    assert.equal(azure.functions.length, 0);
    assert.match(azure.problems[0].message, /provider azure is not aws/);
  });
});

describe('serverless.yml with a stage option', () => {
  it('uses the stage for variables and function names', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'serverless-app'), {}, { stage: 'prod' });
    const create = fn(scan, 'create');
    assert.equal(create.functionName, 'orders-prod-create');
    assert.equal(create.memoryMB, 2048);
    assert.equal(fn(scan, 'list').environment.TABLE, 'orders-prod-table');
  });
});

describe('serverless.yml reservedConcurrency', () => {
  it('is the function\'s reserved concurrency, 0 included', async () => {
    const file = join(fixtures, 'serverless-app', 'virtual.yml');
    const text = ['service: s', 'provider:', '  name: aws', '  runtime: nodejs22.x', 'functions:', '  a:', '    handler: a.handler', '    reservedConcurrency: 5', '  b:', '    handler: b.handler', '    reservedConcurrency: 0', '  c:', '    handler: c.handler'].join('\n');
    const result = await readServerless({ file, display: 'virtual.yml', text }, {});
    assert.deepEqual(result.functions.map((f) => f.reservedConcurrency), [5, 0, undefined]);
  });
});

describe('serverless.yml provider.region', () => {
  const file = join(fixtures, 'serverless-app', 'virtual.yml');
  const service = (region: string | null) =>
    ['service: s', 'provider:', '  name: aws', ...(region === null ? [] : [`  region: ${region}`]), 'functions:', '  a:', '    handler: a.handler'].join('\n');

  it('is the region its functions deploy to, variables resolved, and where it came from', async () => {
    const [plain] = (await readServerless({ file, display: 'virtual.yml', text: service('eu-west-1') }, {})).functions;
    assert.equal(plain.region, 'eu-west-1');
    assert.equal(plain.sources.region, 'virtual.yml provider.region');
    const [option] = (await readServerless({ file, display: 'virtual.yml', text: service("${opt:region, 'ap-northeast-1'}") }, {}, { region: 'eu-south-2' })).functions;
    assert.equal(option.region, 'eu-south-2');
    const [fallback] = (await readServerless({ file, display: 'virtual.yml', text: service("${opt:region, 'ap-northeast-1'}") }, {})).functions;
    assert.equal(fallback.region, 'ap-northeast-1');
  });

  it("is the Framework's us-east-1 when not declared (deploy does not read the shell's region)", async () => {
    const [undeclared] = (await readServerless({ file, display: 'virtual.yml', text: service(null) }, {})).functions;
    assert.equal(undeclared.region, 'us-east-1');
    assert.equal(undeclared.sources.region, 'Serverless Framework default');
  });

  it('is absent when unknown locally, and a value that is no region name is ignored with a warning', async () => {
    const [ssm] = (await readServerless({ file, display: 'virtual.yml', text: service('${ssm:/deploy/region}') }, {})).functions;
    assert.equal(ssm.region, undefined);
    assert.equal(ssm.unresolvedSettings.region, '${ssm:/deploy/region}');
    const [odd] = (await readServerless({ file, display: 'virtual.yml', text: service('Europe') }, {})).functions;
    assert.equal(odd.region, undefined);
    assert.ok(odd.problems.some((p) => p.severity === 'warning' && /region "Europe" is not a region name \(eu-west-1\); it is ignored/.test(p.message)), JSON.stringify(odd.problems));
  });
});
