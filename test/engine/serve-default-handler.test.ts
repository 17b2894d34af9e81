/**
 * `warm-state serve FILE` without --handler picks the export the way `invoke FILE` does, and
 * refuses to start (exit 2, candidates listed) when no single handler can be chosen.
 * The CLI runs in its own process from the sources through tsx; a real SDK client calls it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servedKey, servedUrl, startServe } from './endpoint-helpers';

const root = join(__dirname, '..', '..');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('warm-state serve FILE: the default handler', function () {
  this.timeout(60000);
  let home: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'warm-serve-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('serves the one handler-looking export (freeze-demo exports `test`) and calls succeed', async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    // Pinned: the freeze demo is a callback handler, which nodejs24.x refuses.
    const served = startServe([join(root, 'examples', 'freeze-demo', 'handler.js'), '--runtime', 'nodejs20.x'], home);
    try {
      const url = await servedUrl(served);
      assert.match(served.output().stdout, /handler {2}-> {2}.*freeze-demo\/handler\.js \(export test\) as nodejs20\.x from --runtime/);
      const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: servedKey(served.output().stdout) });
      try {
        const result = await lambda.send(new InvokeCommand({ FunctionName: 'handler', Payload: '{}' }));
        assert.equal(result.FunctionError, undefined, Buffer.from(result.Payload ?? []).toString());
        assert.doesNotMatch(Buffer.from(result.Payload ?? []).toString(), /HandlerNotFound/);
      } finally {
        lambda.destroy();
      }
    } finally {
      served.child.kill('SIGTERM');
    }
    assert.equal(await served.exited, 0);
  });

  it('refuses to start with exit 2 and the candidates when the handler is ambiguous', async () => {
    const file = join(home, 'two.js');
    writeFileSync(file, 'exports.first = async (event, context) => 1;\nexports.second = async (event, context) => 2;\n');
    const served = startServe([file], home);
    const code = await served.exited;
    assert.equal(code, 2);
    assert.match(served.output().stderr, /candidates: first, second/);
    assert.match(served.output().stderr, /--handler EXPORT/);
    assert.doesNotMatch(served.output().stdout, /Local Lambda endpoint/);
  });

  it('refuses to start with exit 2 when the file exports no function', async () => {
    const file = join(home, 'none.js');
    writeFileSync(file, 'exports.value = 42;\n');
    const served = startServe([file], home);
    assert.equal(await served.exited, 2);
    assert.match(served.output().stderr, /exports no functions/);
  });

  it('still serves the export named with --handler without reading a choice', async () => {
    const file = join(home, 'two-named.js');
    writeFileSync(file, 'exports.first = async () => 1;\nexports.second = async () => 2;\n');
    const served = startServe([file, '--handler', 'second'], home);
    try {
      await servedUrl(served);
      assert.match(served.output().stdout, /\(export second\)[\s\S]*Ctrl\+C stops/);
    } finally {
      served.child.kill('SIGTERM');
    }
    assert.equal(await served.exited, 0);
  });
});

describe('warm-state serve: the one region it plays', function () {
  this.timeout(60000);
  let home: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'warm-serve-region-'));
    // The caller's profile names a region (what `aws configure` writes); no AWS_REGION is set.
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-3\n');
    mkdirSync(join(home, 'svc'));
    writeFileSync(join(home, 'svc', 'serverless.yml'), 'service: svc\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: ap-southeast-2\nfunctions:\n  create:\n    handler: handler.create\n');
    writeFileSync(join(home, 'svc', 'handler.js'), 'exports.create = async () => process.env.AWS_REGION;\n');
    writeFileSync(join(home, 'plain.js'), 'exports.handler = async () => process.env.AWS_REGION;\n');
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("is the caller's profile region for a plain file, and a served serverless.yml's region for all, with a warning naming who moved", async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const regionOf = async (args: string[], name: string) => {
      const served = startServe(args, home);
      try {
        const url = await servedUrl(served);
        const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: servedKey(served.output().stdout) });
        try {
          const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
          return { region: JSON.parse(Buffer.from(result.Payload ?? []).toString()) as string, ...served.output() };
        } finally {
          lambda.destroy();
        }
      } finally {
        served.child.kill('SIGTERM');
        await served.exited;
      }
    };
    const alone = await regionOf([join(home, 'plain.js'), '--handler', 'handler'], 'plain');
    assert.equal(alone.region, 'eu-west-3');
    assert.match(alone.stdout, /--region eu-west-3 /);
    assert.doesNotMatch(alone.stderr, /one region/);
    const mixed = await regionOf(['--function', `plain=${join(home, 'plain.js')}:handler`, '--function', `create=${join(home, 'svc', 'handler.js')}:create`], 'plain');
    assert.equal(mixed.region, 'ap-southeast-2');
    assert.match(mixed.stderr, /warning: the endpoint serves every function in one region, ap-southeast-2 \(create's .*serverless\.yml\); on its own plain in eu-west-3 \(yours\)/);
  });
});
