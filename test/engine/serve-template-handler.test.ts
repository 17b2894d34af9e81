/**
 * `warm-state serve --resource` runs a template's function by its Handler setting, through the
 * runtime client's loader as `invoke --template --resource` does: a package in node_modules or
 * a folder named by the handler runs, and a module Lambda would not find is each invocation's
 * init error rather than a refusal to serve. The CLI runs in its own process; a real SDK client calls it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servedKey, servedUrl, startServe } from './endpoint-helpers';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FUNCTIONS: Record<string, string> = { Package: 'greeter.handler', Folder: 'lib.handler', NoModule: 'missing.handler' };

function writeProject(dir: string): void {
  mkdirSync(join(dir, 'node_modules', 'greeter'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'greeter', 'package.json'), '{ "name": "greeter", "main": "main.js" }\n');
  writeFileSync(join(dir, 'node_modules', 'greeter', 'main.js'), 'exports.handler = async () => "from node_modules";\n');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'index.js'), 'exports.handler = async () => "from lib/index.js";\n');
  writeFileSync(join(dir, 'template.yaml'), [
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    ...Object.entries(FUNCTIONS).flatMap(([id, handler]) => [`  ${id}:`, '    Type: AWS::Serverless::Function', '    Properties:', `      Handler: ${handler}`, '      Runtime: nodejs20.x', `      FunctionName: ${id.toLowerCase()}`]),
    '',
  ].join('\n'));
}

describe('warm-state serve --resource: the Handler setting, loaded as the runtime client does', function () {
  this.timeout(60000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-serve-handler-'));
    writeProject(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves handlers found only by the client, and answers a missing module with its init error', async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const resources = Object.keys(FUNCTIONS).flatMap((id) => ['--resource', id]);
    const served = startServe(['--template', join(dir, 'template.yaml'), ...resources], dir);
    try {
      const url = await servedUrl(served);
      const { stdout, stderr } = served.output();
      // The template reader's check is a warning, said before serving.
      assert.match(stderr, /warning: .*NoModule: Handler "missing\.handler"/);
      const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: servedKey(stdout) });
      const invoke = async (name: string): Promise<{ error: string | undefined; body: unknown }> => {
        const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
        return { error: result.FunctionError, body: JSON.parse(Buffer.from(result.Payload ?? []).toString()) };
      };
      try {
        assert.deepEqual(await invoke('package'), { error: undefined, body: 'from node_modules' });
        assert.deepEqual(await invoke('folder'), { error: undefined, body: 'from lib/index.js' });
        for (let i = 0; i < 2; i++) {
          const missing = await invoke('nomodule');
          assert.equal(missing.error, 'Unhandled');
          const body = missing.body as { errorType?: string; errorMessage?: string };
          assert.equal(body.errorType, 'Runtime.ImportModuleError');
          assert.match(body.errorMessage ?? '', /^Error: Cannot find module 'missing'\nRequire stack:/);
        }
      } finally {
        lambda.destroy();
      }
    } finally {
      served.child.kill('SIGTERM');
    }
    assert.equal(await served.exited, 0);
  });
});
