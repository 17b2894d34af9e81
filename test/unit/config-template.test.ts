import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDeclaringFunction, resolveTemplateFunction, scanWorkspaceConfigs } from '../../src/core/config/scan';
import { parseConfigText } from '../../src/core/config/yaml-document';
import { readTemplate } from '../../src/core/config/template';
import { describeIntrinsic, resolveIntrinsic, type IntrinsicContext } from '../../src/core/config/intrinsics';
import type { ConfigScan, FunctionConfig } from '../../src/core/config/types';

const fixtures = join(__dirname, '..', 'fixtures', 'config');

function fn(scan: ConfigScan, id: string): FunctionConfig {
  const found = scan.functions.find((f) => f.id === id);
  assert.ok(found, `function ${id} in ${scan.functions.map((f) => f.id).join(', ')}`);
  return found;
}

describe('CloudFormation YAML short-form tags', () => {
  it('turns every short form into its long form', () => {
    const text = [
      'a: !Ref Param',
      'b: !GetAtt Table.StreamArn',
      'c: !GetAtt [Table, Arn]',
      'd: !Sub "x-${Stage}"',
      'e: !Sub ["${A}-y", { A: !Ref B }]',
      'f: !If [Cond, !Ref A, !Ref "AWS::NoValue"]',
      'g: !Join [":", [a, !Ref B]]',
      'h: !Select [0, !GetAZs ""]',
      'i: !Split [",", "a,b"]',
      'j: !FindInMap [Map, Key, Value]',
      'k: !ImportValue shared-export',
      'l: !Base64 text',
      'm: !Equals [a, b]',
      'n: !Not [!Condition C]',
      'o: !And [!Condition A, !Condition B]',
      'p: !Or [!Condition A, !Condition B]',
      'q: !Cidr [10.0.0.0/16, 4, 8]',
      'r: !Base64',
      '  Fn::Sub: multi-line map form',
    ].join('\n');
    const parsed = parseConfigText(text);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(parsed.value, {
      a: { Ref: 'Param' },
      b: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      c: { 'Fn::GetAtt': ['Table', 'Arn'] },
      d: { 'Fn::Sub': 'x-${Stage}' },
      e: { 'Fn::Sub': ['${A}-y', { A: { Ref: 'B' } }] },
      f: { 'Fn::If': ['Cond', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] },
      g: { 'Fn::Join': [':', ['a', { Ref: 'B' }]] },
      h: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      i: { 'Fn::Split': [',', 'a,b'] },
      j: { 'Fn::FindInMap': ['Map', 'Key', 'Value'] },
      k: { 'Fn::ImportValue': 'shared-export' },
      l: { 'Fn::Base64': 'text' },
      m: { 'Fn::Equals': ['a', 'b'] },
      n: { 'Fn::Not': [{ Condition: 'C' }] },
      o: { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] },
      p: { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] },
      q: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
      r: { 'Fn::Base64': { 'Fn::Sub': 'multi-line map form' } },
    });
  });

  it('keeps unknown tags as plain values with a warning and its line', () => {
    const parsed = parseConfigText('a: 1\nb: !Weird thing\n');
    assert.deepEqual(parsed.value, { a: 1, b: 'thing' });
    assert.deepEqual(parsed.warnings, [{ message: 'Unresolved tag: !Weird', line: 2 }]);
  });

  it('supports anchors and merge keys (common in serverless.yml)', () => {
    const parsed = parseConfigText('defaults: &defaults\n  timeout: 10\n  memorySize: 256\nfn:\n  <<: *defaults\n  timeout: 20\n');
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual((parsed.value as { fn: unknown }).fn, { timeout: 20, memorySize: 256 });
  });

  it('gives syntax errors with their line and the line of any key path', () => {
    const broken = parseConfigText('a:\n  b: [1, 2\nc: 3\n');
    assert.equal(broken.errors.length > 0, true);
    assert.equal(typeof broken.errors[0].line, 'number');
    const ok = parseConfigText('top:\n  inner:\n    leaf: 1\n');
    assert.equal(ok.lineOf(['top', 'inner', 'leaf']), 3);
    assert.equal(ok.lineOf(['top', 'inner', 'missing']), 2, 'falls back to the nearest existing key');
  });
});

describe('intrinsic resolution', () => {
  const context: IntrinsicContext = {
    parameterDefaults: { Stage: 'prod', Count: 3, List: 'a,b,c' },
    pseudo: { 'AWS::Region': 'eu-west-1' },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
  };

  it('resolves parameter defaults, pseudo parameters, Sub, Join, Select, Split and If', () => {
    assert.deepEqual(resolveIntrinsic({ Ref: 'Stage' }, context), { known: true, value: 'prod', via: ['Parameters.Stage.Default'] });
    assert.deepEqual(resolveIntrinsic({ 'Fn::Sub': 'app-${Stage}-${AWS::Region}' }, context), {
      known: true,
      value: 'app-prod-eu-west-1',
      via: ['Parameters.Stage.Default', 'AWS::Region'],
    });
    assert.equal((resolveIntrinsic({ 'Fn::Sub': ['${X}!', { X: { Ref: 'Count' } }] }, context) as { value: unknown }).value, '3!');
    assert.equal((resolveIntrinsic({ 'Fn::Sub': 'literal ${!NotAVar}' }, context) as { value: unknown }).value, 'literal ${NotAVar}');
    assert.equal((resolveIntrinsic({ 'Fn::Join': ['-', ['a', { Ref: 'Stage' }]] }, context) as { value: unknown }).value, 'a-prod');
    assert.equal((resolveIntrinsic({ 'Fn::Select': [1, { 'Fn::Split': [',', { Ref: 'List' }] }] }, context) as { value: unknown }).value, 'b');
    assert.equal((resolveIntrinsic({ 'Fn::If': ['IsProd', 'fast', 'slow'] }, context) as { value: unknown }).value, 'fast');
    assert.equal((resolveIntrinsic({ 'Fn::If': ['NotProd', 'fast', 'slow'] }, context) as { value: unknown }).value, 'slow');
  });

  it('leaves what only a deployment knows unresolved, described as text', () => {
    assert.deepEqual(resolveIntrinsic({ 'Fn::GetAtt': ['Table', 'Arn'] }, context), { known: false, text: '!GetAtt Table.Arn' });
    assert.deepEqual(resolveIntrinsic({ Ref: 'NoDefault' }, context), { known: false, text: '!Ref NoDefault' });
    assert.deepEqual(resolveIntrinsic({ 'Fn::Sub': '${AWS::StackName}-x' }, context), { known: false, text: '!Sub ${AWS::StackName}-x' });
    assert.deepEqual(resolveIntrinsic({ 'Fn::Sub': '${Table.Arn}' }, context), { known: false, text: '!Sub ${Table.Arn}' });
    assert.equal(resolveIntrinsic({ 'Fn::If': ['Unknown', 'a', 'b'] }, context).known, false);
    assert.equal(describeIntrinsic({ 'Fn::Join': [':', ['a', { Ref: 'B' }]] }), '!Join [:, [a, !Ref B]]');
    assert.equal(describeIntrinsic({ 'Fn::ImportValue': 'x' }), '!ImportValue x');
  });
});

describe('AWS::Region', () => {
  const TEXT = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: index.handler\n      Environment:\n        Variables:\n          WHERE: !Sub '${AWS::Region}'\n";
  const template = (region: Record<string, string>) =>
    readTemplate(
      {
        file: '/work/app/template.yaml',
        display: 'template.yaml',
        text: TEXT,
      },
      region,
    );

  it('is the region local functions run in: AWS_REGION, else AWS_DEFAULT_REGION (an empty AWS_REGION is none)', async () => {
    assert.equal((await template({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' })).functions[0].environment.WHERE, 'eu-west-1');
    assert.equal((await template({ AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' })).functions[0].environment.WHERE, 'ap-south-1');
  });

  it("is the region the caller gives when given (callerRegion's, which also reads the profile), through every way a template is read", async () => {
    const [fn] = (await readTemplate({ file: '/work/app/template.yaml', display: 'template.yaml', text: TEXT }, { AWS_REGION: 'eu-west-1' }, 'eu-west-3')).functions;
    assert.equal(fn.environment.WHERE, 'eu-west-3');
    const dir = mkdtempSync(join(tmpdir(), 'warm-state-region-'));
    try {
      writeFileSync(join(dir, 'template.yaml'), TEXT);
      writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => null;\n');
      const scan = await scanWorkspaceConfigs(dir, {}, { region: 'ca-west-1' });
      assert.equal(scan.functions[0].environment.WHERE, 'ca-west-1');
      assert.equal((await findDeclaringFunction(join(dir, 'index.js'), 'handler', {}, { region: 'il-central-1' }))?.environment.WHERE, 'il-central-1');
      assert.equal((await resolveTemplateFunction({ resource: 'Fn', cwd: dir, region: 'mx-central-1' })).environment.WHERE, 'mx-central-1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SAM template (Globals, intrinsics, CodeUri)', () => {
  let scan: ConfigScan;
  before(async () => {
    scan = await scanWorkspaceConfigs(join(fixtures, 'sam-app'), { AWS_REGION: 'eu-west-1' });
  });

  it('reads every Lambda function and nothing else', () => {
    assert.deepEqual(
      scan.functions.map((f) => f.id),
      ['HelloFunction', 'TypedFunction', 'MissingExportFunction', 'MissingFileFunction', 'PythonFunction'],
    );
    assert.deepEqual(scan.files, [join(fixtures, 'sam-app', 'template.yaml')]);
  });

  it('merges Globals.Function with function values winning, and says where each came from', () => {
    const hello = fn(scan, 'HelloFunction');
    assert.equal(hello.kind, 'sam');
    assert.equal(hello.line, 29, 'the line of the resource key');
    assert.equal(hello.timeoutSeconds, 10);
    assert.equal(hello.memoryMB, 512);
    assert.equal(hello.runtime, 'nodejs20.x');
    assert.equal(hello.architecture, 'arm64');
    assert.equal(hello.sources.timeoutSeconds, 'template.yaml Resources.HelloFunction.Properties.Timeout');
    assert.equal(hello.sources.memoryMB, 'template.yaml Globals.Function.MemorySize');
    assert.equal(hello.sources.runtime, 'template.yaml Globals.Function.Runtime');
    assert.equal(hello.sources.architecture, 'template.yaml Globals.Function.Architectures');
  });

  it('maps the handler through CodeUri to the file and export', () => {
    const hello = fn(scan, 'HelloFunction');
    assert.equal(hello.handler, 'app.lambdaHandler');
    assert.equal(hello.codeDir, join(fixtures, 'sam-app', 'hello-world'));
    assert.equal(hello.handlerFile, join(fixtures, 'sam-app', 'hello-world', 'app.mjs'));
    assert.equal(hello.exportName, 'lambdaHandler');
    assert.deepEqual(hello.problems, []);
  });

  it('finds TypeScript sources for esbuild-built functions, string numbers accepted', () => {
    const typed = fn(scan, 'TypedFunction');
    assert.equal(typed.handlerFile, join(fixtures, 'sam-app', 'typed', 'src', 'app.ts'));
    assert.equal(typed.exportName, 'handler');
    assert.equal(typed.memoryMB, 256);
    assert.equal(typed.architecture, 'x86_64');
    assert.equal(typed.timeoutSeconds, 30);
    assert.equal(typed.functionName, null);
    assert.deepEqual(typed.problems, []);
  });

  it('merges environments key by key, keeps literals and resolved defaults, lists intrinsics apart', () => {
    const hello = fn(scan, 'HelloFunction');
    assert.deepEqual(hello.environment, {
      LOG_LEVEL: 'info',
      SHARED: 'from-function',
      STAGE: 'prod',
      MODE: 'fast',
      PORT: '8080',
      ODD: 'thing',
    });
    assert.deepEqual(hello.unresolvedEnvironment, {
      TABLE: '!GetAtt Table.Arn',
      QUEUE_URL: '!Ref Queue',
      SECRET: '!Ref Secret',
      STACK: '!Sub ${AWS::StackName}-x',
    });
    assert.equal('REMOVED' in hello.environment || 'REMOVED' in hello.unresolvedEnvironment, false, 'AWS::NoValue removes the variable');
    assert.equal(hello.sources['environment.LOG_LEVEL'], 'template.yaml Globals.Function.Environment.Variables.LOG_LEVEL');
    assert.equal(hello.sources['environment.STAGE'], 'template.yaml Resources.HelloFunction.Properties.Environment.Variables.STAGE (Parameters.Stage.Default)');
  });

  it('resolves FunctionName from a parameter default', () => {
    const hello = fn(scan, 'HelloFunction');
    assert.equal(hello.functionName, 'hello-prod');
    assert.match(hello.sources.functionName, /FunctionName \(Parameters\.Stage\.Default\)/);
  });

  it('explains a missing export, a missing file and a non-Node runtime, with lines', () => {
    const missingExport = fn(scan, 'MissingExportFunction').problems;
    assert.equal(missingExport.length, 1);
    // Static checks warn (with what Lambda would answer); they never stop the handler from running.
    assert.equal(missingExport[0].severity, 'warning');
    assert.equal(missingExport[0].line, 61);
    assert.match(missingExport[0].message, /^template\.yaml:61 MissingExportFunction: Handler "app\.nothere": .*app\.mjs has no exported function "nothere" \(it exports lambdaHandler\); unless it is made at run time, Lambda fails with Runtime\.HandlerNotFound\.$/);

    const missingFile = fn(scan, 'MissingFileFunction');
    assert.equal(missingFile.handlerFile, null);
    assert.equal(missingFile.exportName, 'handler');
    assert.equal(missingFile.problems[0].severity, 'warning');
    assert.match(missingFile.problems[0].message, /^template\.yaml:66 MissingFileFunction: Handler "index\.handler": no file index\.js, index\.mjs, index\.cjs, index\.ts, index\.mts, index\.cts in .*Runtime\.ImportModuleError\.$/);

    const python = fn(scan, 'PythonFunction');
    assert.equal(python.runtime, 'python3.12');
    assert.deepEqual(python.problems.map((p) => [p.severity, p.line]), [['error', 72]]);
    assert.match(python.problems[0].message, /runtime python3\.12 is not Node\.js/);
  });

  it('warns about the unknown tag at its line and collects every problem in the scan', () => {
    const tag = scan.problems.find((p) => /unknown tag/.test(p.message));
    assert.ok(tag);
    assert.deepEqual([tag.severity, tag.line, tag.message], ['warning', 47, 'template.yaml:47: unknown tag !Custom; its value is read as plain text.']);
    assert.equal(scan.problems.length, 4);
  });
});

describe('CloudFormation AWS::Lambda::Function', () => {
  it('reads an inline (Code.ZipFile) function from template.json', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'cfn', 'inline'));
    assert.equal(scan.functions.length, 1);
    const inline = scan.functions[0];
    assert.equal(inline.kind, 'cloudformation');
    assert.equal(inline.id, 'InlineFunction');
    assert.equal(inline.handler, 'index.handler');
    assert.equal(inline.exportName, 'handler');
    assert.equal(inline.inlineCode, true);
    assert.equal(inline.handlerFile, null);
    assert.deepEqual([inline.runtime, inline.timeoutSeconds, inline.memoryMB, inline.functionName], ['nodejs18.x', 15, 256, 'inline-fn']);
    assert.deepEqual(inline.environment, { GREETING: 'hello' });
    assert.deepEqual(inline.unresolvedEnvironment, { ROLE: '!GetAtt Role.Arn' });
    assert.equal(inline.sources.architecture, 'Lambda default');
    assert.equal(inline.architecture, 'x86_64');
    assert.deepEqual(inline.problems, []);
  });

  it('follows CDK asset paths, applies Lambda defaults and explains S3 code it cannot see', async () => {
    const scan = await scanWorkspaceConfigs(join(fixtures, 'cfn', 'cdk'));
    const cdk = fn(scan, 'CdkFunction12AB');
    assert.equal(cdk.handlerFile, join(fixtures, 'cfn', 'cdk', 'asset.abc123', 'index.js'));
    assert.deepEqual([cdk.timeoutSeconds, cdk.memoryMB, cdk.architecture, cdk.runtime], [3, 128, 'arm64', 'nodejs22.x']);
    assert.equal(cdk.sources.timeoutSeconds, 'Lambda default');
    assert.deepEqual(cdk.problems, []);
    const plain = fn(scan, 'PlainS3Function');
    assert.deepEqual(plain.problems.map((p) => p.severity), ['warning', 'warning']);
    assert.match(plain.problems[0].message, /the code is deployed from my-bucket; the handler is looked up next to the template/);
  });
});

describe('reserved concurrency (the most environments a local run starts)', () => {
  const file = join(fixtures, 'sam-app', 'virtual.yaml');
  const template = (reserved: string, globals = '') =>
    [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Transform: AWS::Serverless-2016-10-31',
      ...(globals ? ['Globals:', '  Function:', `    ReservedConcurrentExecutions: ${globals}`] : []),
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      Runtime: nodejs22.x',
      ...(reserved ? [`      ReservedConcurrentExecutions: ${reserved}`] : []),
    ].join('\n');
  const read = async (text: string) => (await readTemplate({ file, display: 'virtual.yaml', text }, {})).functions[0];

  it('reads ReservedConcurrentExecutions, 0 included, from the function or Globals, and says where it came from', async () => {
    assert.equal((await read(template('3'))).reservedConcurrency, 3);
    assert.equal((await read(template('"2"'))).reservedConcurrency, 2);
    assert.equal((await read(template('0'))).reservedConcurrency, 0, 'reserved concurrency 0 turns the function off');
    const fromGlobals = await read(template('', '4'));
    assert.deepEqual([fromGlobals.reservedConcurrency, fromGlobals.sources.reservedConcurrency], [4, 'virtual.yaml Globals.Function.ReservedConcurrentExecutions']);
    assert.equal((await read(template(''))).reservedConcurrency, undefined, 'not declared: no limit of its own');
  });

  it('warns about a value that is not a whole number and ignores it', async () => {
    const odd = await read(template('2.5'));
    assert.equal(odd.reservedConcurrency, undefined);
    assert.ok(odd.problems.some((p) => /ReservedConcurrentExecutions 2\.5 is not a whole number, 0 or more; the default is used\./.test(p.message)), odd.problems.map((p) => p.message).join('\n'));
  });
});
