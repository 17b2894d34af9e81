/**
 * Activation must stay light: what `activate()` needs is reached from src/extension.ts by
 * static imports; the engine, the detector (acorn, sucrase), the template reader (yaml) and
 * the AWS SDK may only be reached through dynamic imports, which esbuild turns into lazy
 * initialisers. Checked on esbuild's import graph of the real extension bundle.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = join(__dirname, '..', '..');

type Graph = Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;

async function extensionGraph(): Promise<{ inputs: Graph; bytesInOutput: Record<string, number> }> {
  const result = await esbuild.build({
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: ['vscode'],
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    absWorkingDir: ROOT,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const bytesInOutput = Object.fromEntries(Object.entries(output.inputs).map(([file, info]) => [file, info.bytesInOutput]));
  return { inputs: result.metafile.inputs as Graph, bytesInOutput };
}

function staticallyReachable(inputs: Graph, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    for (const edge of inputs[file]?.imports ?? []) {
      if (edge.kind === 'dynamic-import' || edge.external || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return seen;
}

describe('extension: activation bundle', function () {
  this.timeout(30000);
  let inputs: Graph;
  let reachable: Set<string>;
  let bytesInOutput: Record<string, number>;

  before(async () => {
    ({ inputs, bytesInOutput } = await extensionGraph());
    reachable = staticallyReachable(inputs, 'src/extension.ts');
  });

  it('reaches the engine, detector, template reader and AWS SDK only through dynamic imports', () => {
    const heavy = [...reachable].filter((file) =>
      /node_modules\/(acorn|acorn-walk|sucrase|yaml|@aws-sdk|@smithy|@aws-crypto)\//.test(file) ||
      /^src\/core\/remote\//.test(file) ||
      /^src\/core\/session\.ts$/.test(file) ||
      /^src\/core\/runtime\/local-environment\.ts$/.test(file) ||
      /^src\/core\/handlers\/detect\.ts$/.test(file) ||
      /^src\/core\/config\/(scan|template|serverless)\.ts$/.test(file),
    );
    assert.deepEqual(heavy, []);
    // And they are in the bundle, reached lazily: the dynamic imports exist.
    for (const file of ['src/core/session.ts', 'src/core/handlers/detect.ts', 'src/core/config/scan.ts']) assert.ok(inputs[file], `${file} is bundled`);
  });

  it('has one split point: what activation loads imports the heavy half only through lazy-entry.ts', () => {
    // So the build can emit lazy-entry.ts as its own bundle that activation never parses.
    const splitEdges = [...reachable].flatMap((file) => (inputs[file]?.imports ?? []).filter((edge) => edge.kind === 'dynamic-import' && !edge.external).map((edge) => `${file} -> ${edge.path}`));
    assert.deepEqual(splitEdges, ['src/vscode/lazy.ts -> src/vscode/lazy-entry.ts']);
  });

  it('keeps what activation evaluates small', () => {
    // Everything statically reachable is evaluated at require time: only the editor glue,
    // the webview protocol and small pure helpers.
    const eager = [...reachable];
    assert.ok(eager.every((file) => file.startsWith('src/')), `no package is evaluated at activation: ${eager.join(', ')}`);
    assert.ok(eager.length < 40, `${eager.length} modules evaluated at activation: ${eager.join(', ')}`);
    // The glue activation parses once the heavy half is its own bundle (about 90 KB today).
    const eagerBytes = eager.reduce((sum, file) => sum + (bytesInOutput[file] ?? 0), 0);
    assert.ok(eagerBytes < 200_000, `${eagerBytes} bytes of code evaluated at activation`);
  });
});
