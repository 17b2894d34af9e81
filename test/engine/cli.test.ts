/**
 * The `warm-state` command as a user runs it: dist/cli.js in a real process, driving real
 * child environments. Also the JSON contract: every field documented in
 * docs/snapshot-format.md is present in the records, and nothing undocumented is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord, ValueNode } from '../../src/core/model/snapshot';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const scenario = join(root, 'examples', 'freeze-demo', 'handler.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * These runs test the 3.x runtime client's behaviour (the freeze demo is a callback handler):
 * they pin nodejs20.x, so that test:node-versions (Node 22/24 first on PATH) tests Node
 * versions, not profiles.
 */
const PINNED = ['--runtime', 'nodejs20.x'];

function run(args: string[], options: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '120', ...options.env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function records(stdout: string): InvocationRecord[] {
  const lines = stdout.split('\n').filter((line) => line !== '');
  return lines.map((line) => JSON.parse(line) as InvocationRecord);
}

function variable<T extends { name: string }>(list: T[], name: string): T {
  const found = list.find((v) => v.name === name);
  assert.ok(found, `variable ${name} missing from ${list.map((v) => v.name).join(', ')}`);
  return found;
}

function arrayLength(node: ValueNode): number {
  assert.equal(node.type, 'array');
  return node.type === 'array' ? node.length : -1;
}

/** First-column names (`name`) of the table under a `## heading` of the format document. */
function documentedNames(doc: string, heading: string): string[] {
  const start = doc.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `section ${heading} missing`);
  const rest = doc.slice(start + heading.length + 3);
  const end = rest.search(/\n##? /);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

/** The fields of a section whose type says `optional`: a record may leave them out. */
function optionalNames(doc: string, heading: string): Set<string> {
  const start = doc.indexOf(`## ${heading}`);
  const rest = doc.slice(start + heading.length + 3);
  const end = rest.search(/\n##? /);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  return new Set([...section.matchAll(/^\| `([^`]+)` \|([^|]*optional[^|]*)\|/gm)].map((m) => m[1]));
}

/** Every key documented, every documented key present unless optional. */
function assertDocumentedKeys(keys: string[], documented: string[], optional: Set<string>, what: string): void {
  for (const key of keys) assert.ok(documented.includes(key), `${what}: ${key} is documented`);
  for (const name of documented) assert.ok(optional.has(name) || keys.includes(name), `${what}: ${name} is present`);
}

/** type -> documented fields, from the value node table. */
function documentedNodeFields(doc: string): Map<string, string[]> {
  const start = doc.indexOf('## Value nodes');
  const section = doc.slice(start, doc.indexOf('### Budgets', start));
  const fields = new Map<string, string[]>();
  for (const match of section.matchAll(/^\| `([a-z-]+)` \|([^|]*)\|/gm)) {
    fields.set(match[1], [...match[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  }
  return fields;
}

function* walkNodes(node: ValueNode): Generator<ValueNode> {
  yield node;
  switch (node.type) {
    case 'array': case 'set': for (const item of node.items) yield* walkNodes(item); break;
    case 'object': for (const p of node.properties) yield* walkNodes(p.value); break;
    case 'map': for (const e of node.entries) { yield* walkNodes(e.key); yield* walkNodes(e.value); } break;
    case 'promise': if (node.value) yield* walkNodes(node.value); break;
    default: break;
  }
}

describe('engine: warm-state CLI', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    if (!existsSync(cli) || !existsSync(join(root, 'dist', 'child', 'bootstrap.js'))) {
      throw new Error('dist/cli.js or dist/child is missing: run `npm run build` first (npm test does)');
    }
    dir = mkdtempSync(join(tmpdir(), 'warm-cli-engine-'));
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    writeFileSync(join(dir, 'steady.js'), [
      "'use strict';",
      'let count = 0;',
      'const cache = new Map();',
      'exports.handler = async (event) => { count++; cache.set("last", event); return { count, echo: event }; };',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'two.js'), 'exports.alpha = async () => 1;\nexports.beta = async () => 2;\n');
    writeFileSync(join(dir, 'bad-event.json'), '{\n  "id": 1,\n  "name": \'x\'\n}\n');
    writeFileSync(join(dir, 'kinds.js'), [
      "'use strict';",
      'class Point { constructor() { this.x = 1; } }',
      'const cyclic = { name: "root" }; cyclic.self = cyclic;',
      'const guarded = { get secret() { throw new Error("getter ran"); } };',
      'const trap = new Proxy({}, { get() { throw new Error("trap ran"); } });',
      'const kinds = {',
      '  str: "s", num: NaN, neg: -0, big: 10n, yes: true, undef: undefined, nul: null, sym: Symbol("tag"),',
      '  list: [1, 2], map: new Map([["k", 1]]), set: new Set([1]), fn: function named() {}, date: new Date(0),',
      '  re: /a+/g, err: new TypeError("bad"), buf: Buffer.from([1, 2]), prom: Promise.resolve(1), weak: new WeakMap(),',
      '  point: new Point(), deep: { a: { b: { c: { d: { e: {} } } } } },',
      '};',
      'exports.handler = async (event) => {',
      '  if (event.early) return "early";',
      '  let late = 1;',
      '  return late;',
      '};',
      '',
    ].join('\n'));
  });

  it('npm run demo: the freeze scenario, module scope beside handler scope', () => {
    const { status, stdout, stderr } = run(['invoke', scenario, '--times', '3', ...PINNED]);
    assert.equal(status, 0, stderr);
    const blocks = stdout.split(/^── /m).slice(1);
    assert.equal(blocks.length, 3, stdout);
    assert.match(blocks[0], /^Invocation 1 · cold start/);
    assert.match(blocks[1], /^Invocation 2 · warm/);
    assert.match(blocks[0], /Init Duration: [\d.]+ ms/);
    assert.doesNotMatch(blocks[2], /Init Duration/);
    for (const [i, block] of blocks.entries()) {
      const bs = Array<string>(i + 1).fill("'B'").join(', ');
      assert.match(block, new RegExp(`INFO {2}Array B: \\[ ${bs} \\]`), 'the logs');
      assert.match(block, /INFO {2}Array A: \[ 'A' \]/);
      assert.match(block, /^REPORT RequestId: [0-9a-f-]+ {2}Duration: /m, 'the REPORT line');
      assert.match(block, /MODULE SCOPE.*│ HANDLER SCOPE/, 'two columns at 120 columns');
      assert.match(block, new RegExp(`^. arrayB\\s+\\[ ${bs} \\].*│ . arrayD\\s+\\[ 'D' \\]$`, 'm'));
      assert.match(block, /^. arrayA\s+\[\]\s+│ . arrayC\s+\[\]$/m);
    }
    assert.match(blocks[2], /^~ arrayB .*⚠ growing/m);
    assert.doesNotMatch(blocks[1], /⚠ growing/);
    assert.match(blocks[2], /⚠ arrayB keeps growing: 3 items, \+1 per invocation \(now Array\(3\); size 2 → 4 → 6 over 3 invocations of one environment\)/);
    assert.ok(!stdout.includes('\u001b'), 'no colour when stdout is not a terminal');
  });

  it('--json: one record per invocation per line with the scenario values', () => {
    const { status, stdout, stderr } = run(['invoke', scenario, '--times', '3', '--json', ...PINNED]);
    assert.equal(status, 0, stderr);
    const list = records(stdout);
    assert.equal(list.length, 3);
    assert.deepEqual(list.map((r) => r.invocation), [1, 2, 3]);
    assert.deepEqual(list.map((r) => r.cold), [true, false, false]);
    assert.deepEqual(list.map((r) => arrayLength(variable(r.moduleScope, 'arrayB').value)), [1, 2, 3]);
    assert.deepEqual(list.map((r) => arrayLength(variable(r.moduleScope, 'arrayA').value)), [0, 0, 0]);
    assert.deepEqual(list.map((r) => arrayLength(variable(r.handlerScope, 'arrayC').value)), [0, 0, 0]);
    assert.deepEqual(list.map((r) => arrayLength(variable(r.handlerScope, 'arrayD').value)), [1, 1, 1]);
    assert.deepEqual(list.map((r) => variable(r.moduleScope, 'arrayB').change), ['added', 'changed', 'changed']);
    assert.deepEqual(list.map((r) => variable(r.moduleScope, 'arrayA').change), ['added', 'unchanged', 'unchanged']);
    assert.deepEqual(list.map((r) => r.growing), [[], [], ['arrayB']]);
    assert.deepEqual(variable(list[2].moduleScope, 'arrayB').sizeSeries, [2, 4, 6]);
    assert.equal(list[0].initDurationMs !== null && list[0].initDurationMs > 0, true);
    assert.equal(list[1].initDurationMs, null);
    assert.deepEqual(list[0].parameters.map((p) => p.name), ['event', 'context', 'callback']);
  });

  it('--json follows docs/snapshot-format.md field by field', () => {
    const doc = readFileSync(join(root, 'docs', 'snapshot-format.md'), 'utf8');
    const recordFields = documentedNames(doc, 'Invocation record fields');
    const variableFields = documentedNames(doc, 'Variable fields');
    const moduleFields = [...variableFields, ...documentedNames(doc, 'Module variable fields')];
    const nodeFields = documentedNodeFields(doc);
    assert.ok(recordFields.length >= 20 && variableFields.length === 4 && nodeFields.size >= 22, 'the tables were read');

    const { status, stdout, stderr } = run(['invoke', join(dir, 'kinds.js'), '--times', '2', '--json', '--event', '-', ...PINNED], { input: '{"early": true}' });
    assert.equal(status, 0, stderr);
    const seenTypes = new Set<string>();
    for (const record of records(stdout)) {
      assertDocumentedKeys(Object.keys(record), recordFields, optionalNames(doc, 'Invocation record fields'), 'record fields');
      for (const v of record.moduleScope) assertDocumentedKeys(Object.keys(v), moduleFields, optionalNames(doc, 'Module variable fields'), `module variable ${v.name}`);
      for (const v of [...record.handlerScope, ...record.parameters]) assert.deepEqual(Object.keys(v).sort(), [...variableFields].sort(), `variable ${v.name}`);
      for (const v of [...record.moduleScope, ...record.handlerScope, ...record.parameters]) {
        for (const node of walkNodes(v.value)) {
          const documented = nodeFields.get(node.type);
          assert.ok(documented, `node type ${node.type} is documented`);
          assert.deepEqual(Object.keys(node).filter((k) => k !== 'type').sort(), [...documented].sort(), `fields of ${node.type}`);
          seenTypes.add(node.type);
        }
      }
    }
    for (const type of ['string', 'number', 'bigint', 'boolean', 'undefined', 'null', 'symbol', 'array', 'object', 'map', 'set', 'function', 'date', 'regexp', 'error', 'binary', 'promise', 'proxy', 'weak', 'ref', 'accessor', 'uninitialized', 'depth-limit']) {
      assert.ok(seenTypes.has(type), `the fixture produced a ${type} node (seen: ${[...seenTypes].join(', ')})`);
    }
  });

  it('check exits 1 naming the growing variable with its size series', () => {
    const { status, stdout } = run(['check', scenario, ...PINNED]);
    assert.equal(status, 1, stdout);
    // Items first, then (measured after the last three invocations) retained bytes, then the size series.
    assert.match(stdout, /✗ arrayB keeps growing: 5 items, \+1 per invocation, retains \d+ B[^(]*\(now Array\(5\); size 2 → 4 → 6 → 8 → 10 over 5 invocations of one environment\)/);
    assert.doesNotMatch(stdout, /arrayA keeps growing/);
    assert.equal(stdout.match(/^ {2}#\d/gm)?.length, 5);
  });

  it('check prints the bytes a leak retains and the invocations left, as an estimate', () => {
    const leak = join(root, 'test', 'fixtures', 'handlers', 'memory', 'buffers.js');
    const { status, stdout } = run(['check', leak]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /✗ kept keeps growing: 5 items, \+1 per invocation, retains (4\d\d|5\d\d) KB, \+(9\d|1\d\d) KB per invocation/);
    assert.match(stdout, /^invocations left: \d+ before 128 MB \(an estimate from retained bytes: \+\d+ KB per invocation\)$/m);
  });

  it('invoke --retained --init-profile prints retained bytes, what is left running and where init went', () => {
    const pending = join(root, 'test', 'fixtures', 'handlers', 'memory', 'pending.js');
    const { status, stdout, stderr } = run(['invoke', pending, '--times', '2', '--retained', '--init-profile', '--event', '-'], { input: '{"slowPromise": true}' });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /retained bytes: .*count 0 B/);
    assert.match(stdout, /init profile, slowest first: .*let count = 0; \(line 2\)/);
    assert.match(stdout, /left running at freeze \(runs in a later invocation\): .*timer \(pending\.js:7\)/);
    assert.match(stdout, /ran from an earlier invocation: .*timer \(pending\.js:7\)/);
  });

  it('check exits 0 for a handler whose state does not grow', () => {
    const { status, stdout, stderr } = run(['check', join(dir, 'steady.js'), '--times', '4', ...PINNED]);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, /✓ no module-scope variable kept growing over 4 invocations/);
  });

  it('check still judges growth when the handler throws, and says how many invocations failed', () => {
    writeFileSync(join(dir, 'throws.js'), 'const seen = [];\nexports.handler = async (event) => { seen.push(event); throw new Error("no id"); };\n');
    const { status, stdout } = run(['check', join(dir, 'throws.js'), '--times', '3', ...PINNED]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /#1 {2}cold .*Error: no id/);
    assert.match(stdout, /✗ 3 of 3 invocations failed/);
    assert.match(stdout, /✗ seen keeps growing/);
  });

  it('check says under an init failure for a missing @aws-sdk package that Lambda provides it, and how to install it', () => {
    writeFileSync(join(dir, 'needs-sdk.js'), "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nexports.handler = async () => typeof DynamoDBClient;\n");
    const { status, stdout } = run(['check', join(dir, 'needs-sdk.js'), '--times', '3', ...PINNED]);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /✗ could not check: Error: Cannot find module '@aws-sdk\/client-dynamodb'/);
    assert.match(stdout, /hint: Lambda's Node\.js runtimes include the AWS SDK for JavaScript v3.*npm install --save-dev @aws-sdk\/client-dynamodb/);
  });

  it('check fails when invocations fail, even though nothing grows (the exit codes say so)', () => {
    writeFileSync(join(dir, 'always-throws.js'), 'let n = 0;\nexports.handler = async () => { n++; throw new TypeError("bad thing " + n); };\n');
    const human = run(['check', join(dir, 'always-throws.js'), '--times', '3', ...PINNED]);
    assert.equal(human.status, 1, human.stdout + human.stderr);
    assert.match(human.stdout, /✗ 3 of 3 invocations failed/);
    assert.match(human.stdout, /✓ no module-scope variable kept growing over 3 invocations/, 'growth is still judged');
    const json = run(['check', join(dir, 'always-throws.js'), '--times', '3', '--json', ...PINNED]);
    assert.equal(json.status, 1, json.stdout + json.stderr);
    const summary = JSON.parse(json.stdout) as { ok: boolean; failed: number; growing: unknown[] };
    assert.deepEqual({ ok: summary.ok, failed: summary.failed, growing: summary.growing }, { ok: false, failed: 3, growing: [] });
  });

  it('refuses invalid event JSON before anything runs', () => {
    const { status, stdout, stderr } = run(['invoke', join(dir, 'steady.js'), '--event', join(dir, 'bad-event.json')]);
    assert.equal(status, 2);
    assert.match(stderr, /bad-event\.json is not valid JSON: .* at line 3, column 11/);
    assert.equal(stdout, '', 'no invocation output');
  });

  it("refuses an event over Lambda's 6 MB limit before anything runs, as Lambda does", () => {
    const { status, stdout, stderr } = run(['invoke', join(dir, 'steady.js'), '--event', '-'], { input: JSON.stringify({ blob: 'x'.repeat(7 * 1024 * 1024) }) });
    assert.equal(status, 2);
    assert.match(stderr, /the event on stdin is too large: \d+ bytes as sent, and Lambda accepts at most 6291456 \(6 MiB\)/);
    assert.equal(stdout, '', 'no invocation output');
  });

  it('an ambiguous handler is an error listing the candidates', () => {
    const { status, stderr } = run(['invoke', join(dir, 'two.js')]);
    assert.equal(status, 2);
    assert.match(stderr, /candidates: alpha, beta/);
    const named = run(['invoke', join(dir, 'two.js'), '--handler', 'beta', '--json', ...PINNED]);
    assert.equal(named.status, 0, named.stderr);
    assert.equal(records(named.stdout)[0].response, 2);
  });

  it('reads the event from stdin and passes --env to the function', () => {
    writeFileSync(join(dir, 'env.js'), 'exports.handler = async (event) => ({ event, greeting: process.env.GREETING, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });\n');
    const { status, stdout, stderr } = run(['invoke', join(dir, 'env.js'), '--event', '-', '--env', 'GREETING=hello=world', '--json', ...PINNED], { input: '{"n": 1}' });
    assert.equal(status, 0, stderr);
    const [record] = records(stdout);
    assert.deepEqual(record.response, { event: { n: 1 }, greeting: 'hello=world', fn: 'env' });
  });

  it("runs in the region of the caller's AWS profile when the environment names none (as an SDK in that shell would)", () => {
    writeFileSync(join(dir, 'region.js'), 'exports.handler = async (event, context) => ({ region: process.env.AWS_REGION, arn: context.invokedFunctionArn });\n');
    writeFileSync(join(dir, 'aws-config'), '[default]\nregion = eu-west-3\n\n[profile dev]\nregion = eu-north-1\n');
    const files = { AWS_CONFIG_FILE: join(dir, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'), AWS_REGION: '', AWS_DEFAULT_REGION: '' };
    const dev = run(['invoke', join(dir, 'region.js'), '--json', ...PINNED], { env: { ...files, AWS_PROFILE: 'dev' } });
    assert.equal(dev.status, 0, dev.stderr);
    assert.deepEqual(records(dev.stdout)[0].response, { region: 'eu-north-1', arn: 'arn:aws:lambda:eu-north-1:123456789012:function:region' });
    const byDefault = run(['invoke', join(dir, 'region.js'), '--json', ...PINNED], { env: { ...files, AWS_PROFILE: '' } });
    assert.equal((records(byDefault.stdout)[0].response as { region: string }).region, 'eu-west-3');
    // AWS_REGION, when set, is the region whatever the profile says.
    const fromEnv = run(['invoke', join(dir, 'region.js'), '--json', ...PINNED], { env: { ...files, AWS_PROFILE: 'dev', AWS_REGION: 'ap-south-1' } });
    assert.equal((records(fromEnv.stdout)[0].response as { region: string }).region, 'ap-south-1');
  });

  it("runs a serverless function in its provider.region, which the caller's region does not override", () => {
    const service = join(dir, 'regional');
    mkdirSync(service, { recursive: true });
    writeFileSync(join(service, 'region.js'), 'exports.handler = async (event, context) => ({ region: process.env.AWS_REGION, arn: context.invokedFunctionArn });\n');
    writeFileSync(join(service, 'serverless.yml'), 'service: regional\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: eu-south-1\nfunctions:\n  where:\n    handler: region.handler\n');
    const declared = run(['invoke', '--template', join(service, 'serverless.yml'), '--resource', 'where', '--json'], { env: { AWS_REGION: 'ap-south-1' } });
    assert.equal(declared.status, 0, declared.stderr);
    assert.deepEqual(records(declared.stdout)[0].response, { region: 'eu-south-1', arn: 'arn:aws:lambda:eu-south-1:123456789012:function:regional-dev-where' });
    // The file alone: the serverless.yml that declares it says where it runs, as it says which runtime.
    const file = run(['invoke', join(service, 'region.js'), '--json'], { env: { AWS_REGION: 'ap-south-1' } });
    assert.equal((records(file.stdout)[0].response as { region: string }).region, 'eu-south-1');
  });

  it('--template/--resource runs a declared function with its settings', () => {
    const project = mkdtempSync(join(tmpdir(), 'warm-cli-sam-'));
    writeFileSync(join(project, 'app.js'), 'exports.main = async () => ({ table: process.env.TABLE, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE });\n');
    writeFileSync(join(project, 'template.yaml'), [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  HelloFunction:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.main',
      '      Runtime: nodejs20.x',
      '      MemorySize: 256',
      '      Environment:',
      '        Variables:',
      '          TABLE: orders',
      '',
    ].join('\n'));
    const { status, stdout, stderr } = run(['invoke', '--resource', 'HelloFunction', '--json'], { cwd: project });
    assert.equal(status, 0, stderr);
    const [record] = records(stdout);
    assert.equal(record.memorySizeMB, 256);
    assert.deepEqual(record.response, { table: 'orders', memory: '256' });
    assert.deepEqual([record.runtime, record.runtimeSource], ['nodejs20.x', 'template'], 'the template pins the runtime');
    const missing = run(['invoke', '--resource', 'Nope'], { cwd: project });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.match(/HelloFunction/g)?.length, 1, `the functions found, named once: ${missing.stderr}`);
  });

  it('a handler Lambda fails to load runs: its init error is the record (cold, reset init-error, tried again), the checks are warnings', () => {
    const project = mkdtempSync(join(tmpdir(), 'warm-cli-init-'));
    writeFileSync(join(project, 'app.js'), 'exports.nested = { deep: { handler: async () => "deep" } };\n');
    const functions: Record<string, string> = { Nested: 'app.nested.deep.handler', NoDot: 'appHandler', NoModule: 'missing.handler', NoExport: 'app.other' };
    writeFileSync(join(project, 'template.yaml'), [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      ...Object.entries(functions).flatMap(([id, handler]) => [`  ${id}:`, '    Type: AWS::Serverless::Function', '    Properties:', `      Handler: ${handler}`, '      Runtime: nodejs20.x']),
      '',
    ].join('\n'));
    const nested = run(['invoke', '--resource', 'Nested', '--json'], { cwd: project });
    assert.equal(nested.status, 0, nested.stderr);
    assert.equal(records(nested.stdout)[0]?.response, 'deep');
    const expected: Record<string, [string, RegExp]> = {
      NoDot: ['Runtime.MalformedHandlerName', /^Bad handler$/],
      NoModule: ['Runtime.ImportModuleError', /^Error: Cannot find module 'missing'\nRequire stack:/],
      NoExport: ['Runtime.HandlerNotFound', /^app\.other is undefined or not exported$/],
    };
    for (const [id, [errorType, message]] of Object.entries(expected)) {
      const { status, stdout, stderr } = run(['invoke', '--resource', id, '--json', '--times', '2'], { cwd: project });
      assert.equal(status, 1, `${id}: a failed invocation, not a refusal: ${stderr}`);
      assert.match(stderr, new RegExp(`^warning: template\\.yaml:\\d+ ${id}: Handler "${functions[id]?.replace(/\./g, '\\.')}": .*${errorType.replace(/\./g, '\\.')}`, 'm'));
      const [first, second] = records(stdout);
      for (const record of [first, second]) {
        assert.ok(record, id);
        assert.deepEqual([record.cold, record.reset, record.error?.errorType], [true, 'init-error', errorType], id);
        assert.match(record.error?.errorMessage ?? '', message);
        assert.equal(record.handlerWarnings?.length, 1, id);
      }
      assert.equal(second?.generation, (first?.generation ?? 0) + 1, `${id}: init is tried again`);
    }
    const file = run(['invoke', join(project, 'app.js'), '--handler', 'other', '--json', ...PINNED]);
    assert.equal(file.status, 1, file.stderr);
    assert.match(file.stderr, /^warning: .*app\.js has no exported function "other" \(it exports no functions\); .*Runtime\.HandlerNotFound\.$/m);
    const [fromFile] = records(file.stdout);
    assert.deepEqual([fromFile?.cold, fromFile?.reset, fromFile?.error?.errorType, fromFile?.handlerWarnings?.length], [true, 'init-error', 'Runtime.HandlerNotFound', 1]);
  });
});
