/**
 * `warm-state serve --resource` runs a template's function by its Handler setting, through the
 * runtime client's loader as `invoke --template --resource` does: a package in node_modules or
 * a folder named by the handler runs, and a module Lambda would not find is each invocation's
 * init error rather than a refusal to serve. The CLI runs in its own process; a real SDK client calls it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servedKey } from './endpoint-helpers';

const root = join(__dirname, '..', '..');
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
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--template', join(dir, 'template.yaml'), ...resources], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}${stderr}`)), 20000);
        child.stdout.on('data', () => {
          const match = /Local Lambda endpoint on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C stops/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`)));
      });
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
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
