/**
 * How `warm-state invoke/check` choose the runtime profile, before anything runs: `--runtime`,
 * else the Runtime of a template that declares the function (with --resource, or for a FILE
 * that a template in its folder or above declares), else the local node's major. Only the
 * node's version is asked (a short `node -e`); no handler runs here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLocalArgs } from '../../src/cli/args';
import { main } from '../../src/cli/main';
import { resolveTarget, type CliIO } from '../../src/cli/run-local';

const TEMPLATE = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Transform: AWS::Serverless-2016-10-31',
  'Globals:',
  '  Function:',
  '    Runtime: nodejs22.x',
  'Resources:',
  '  CallbackFunction:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      CodeUri: src/',
  '      Handler: app.handler',
  '',
].join('\n');

describe('cli: choosing the runtime profile', () => {
  let dir: string;
  const stderr = { write: () => undefined };
  const io = (cwd: string): Pick<CliIO, 'cwd' | 'env' | 'stderr'> => ({ cwd, env: {}, stderr });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-cli-runtime-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    writeFileSync(join(dir, 'src', 'app.js'), 'exports.handler = (event, context, callback) => callback(null, 1);\n');
    writeFileSync(join(dir, 'loose.js'), 'exports.handler = async (event) => event;\n');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the Runtime of the template that declares the file, for invoke FILE and for --resource", async () => {
    const byFile = await resolveTarget(parseLocalArgs('invoke', [join('src', 'app.js')]), io(dir));
    assert.equal(byFile.environment.runtime, 'nodejs22.x');
    assert.equal(byFile.environment.runtimeSource, 'template');
    assert.equal(byFile.runtimeLabel, 'nodejs22.x from template.yaml');
    assert.equal(byFile.label, `${join('src', 'app.js')}, export handler (CallbackFunction in template.yaml: --resource CallbackFunction for its memory, timeout and variables)`);
    // From inside the code folder, the template one folder up still declares the file.
    const fromInside = await resolveTarget(parseLocalArgs('invoke', ['app.js']), io(join(dir, 'src')));
    assert.equal(fromInside.environment.runtimeSource, 'template');
    const byResource = await resolveTarget(parseLocalArgs('invoke', ['--resource', 'CallbackFunction']), io(dir));
    assert.deepEqual([byResource.environment.runtime, byResource.environment.runtimeSource], ['nodejs22.x', 'template']);
  });

  it('lets --runtime win over the template', async () => {
    const target = await resolveTarget(parseLocalArgs('invoke', [join('src', 'app.js'), '--runtime', 'nodejs20.x']), io(dir));
    assert.deepEqual([target.environment.runtime, target.environment.runtimeSource, target.runtimeLabel], ['nodejs20.x', 'flag', 'nodejs20.x from --runtime']);
  });

  it("falls back to the local node's major when no template declares the file", async () => {
    const target = await resolveTarget(parseLocalArgs('invoke', ['loose.js']), io(dir));
    assert.equal(target.environment.runtimeSource, 'node-major');
    assert.equal(target.runtimeLabel, `${target.environment.runtime} from the local Node ${process.versions.node.split('.')[0]}`);
  });

  it('warns before running a callback handler under nodejs24.x, and only there', async () => {
    const refused = await resolveTarget(parseLocalArgs('invoke', [join('src', 'app.js'), '--runtime', 'nodejs24.x']), io(dir));
    assert.equal(refused.warnings.length, 1);
    assert.match(refused.warnings[0], /nodejs24\.x runtime refuses callback handlers.*Runtime\.CallbackHandlerDeprecated.*Make the handler async/);
    const accepted = await resolveTarget(parseLocalArgs('invoke', [join('src', 'app.js')]), io(dir));
    assert.deepEqual(accepted.warnings, []);
  });

  it("bounds the environments by --max-environments and the template's reserved concurrency, the smaller winning", async () => {
    const limited = join(dir, 'limited');
    mkdirSync(limited);
    writeFileSync(join(limited, 'template.yaml'), `${TEMPLATE.replace('CodeUri: src/', 'CodeUri: ./').trimEnd()}\n      ReservedConcurrentExecutions: 2\n`);
    writeFileSync(join(limited, 'app.js'), 'exports.handler = async (event) => event;\n');
    const byTemplate = await resolveTarget(parseLocalArgs('invoke', ['app.js', '--parallel', '3']), io(limited));
    assert.deepEqual([byTemplate.maxEnvironments, byTemplate.limitLabel], [2, 'the reserved concurrency 2 in template.yaml']);
    assert.match(byTemplate.warnings.join('\n'), /--parallel 3 is more than the 2 environments the function may have \(the reserved concurrency 2 in template\.yaml\): invocations beyond them are throttled/);
    const byFlag = await resolveTarget(parseLocalArgs('invoke', ['--resource', 'CallbackFunction', '--max-environments', '1']), io(limited));
    assert.deepEqual([byFlag.maxEnvironments, byFlag.limitLabel], [1, '--max-environments 1']);
    const unbounded = await resolveTarget(parseLocalArgs('invoke', ['loose.js']), io(dir));
    assert.deepEqual([unbounded.maxEnvironments, unbounded.warnings], [10, []]);
    writeFileSync(join(limited, 'template.yaml'), `${TEMPLATE.replace('CodeUri: src/', 'CodeUri: ./').trimEnd()}\n      ReservedConcurrentExecutions: 0\n`);
    const off = await resolveTarget(parseLocalArgs('invoke', ['app.js']), io(limited));
    assert.equal(off.maxEnvironments, 0);
    assert.match(off.warnings.join('\n'), /the reserved concurrency 0 in template\.yaml turns the function off: Lambda throttles every invocation/);
  });

  it('exits 2 for an unknown --runtime, listing the supported ones, before anything runs', async () => {
    let err = '';
    const code = await main(['check', 'loose.js', '--runtime', 'nodejs19.x'], {
      stdout: { write: () => undefined },
      stderr: { write: (text: string) => (err += text) },
      readStdin: async () => '',
      cwd: dir,
      env: {},
      layout: { width: 120, color: false },
    });
    assert.equal(code, 2);
    assert.match(err, /Unknown runtime 'nodejs19\.x': supported runtimes are nodejs20\.x, nodejs22\.x, nodejs24\.x/);
  });
});
