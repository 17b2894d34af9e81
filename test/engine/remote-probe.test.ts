/**
 * The probe, attached and detached through the real SDK against the local endpoint. After
 * the attach the endpoint runs the function the way Lambda loads it: the wrapper named by
 * AWS_LAMBDA_EXEC_WRAPPER, the layer extracted into a folder standing in for /opt, the
 * Runtime API. The probe's files are bundled from the sources for this test (as the build's
 * child target does), so it checks the code in this tree.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { UpdateFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { localEndpointKeyFile } from '../../src/core/deployed/local-endpoint-key';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import { createDeployedFunction } from '../../src/core/deployed/deployed-environment';
import { DeployedError } from '../../src/core/deployed/errors';
import { attachProbe, detachProbe, planAttach, type AttachPlan, type ProbeTarget } from '../../src/core/deployed/probe/attach';
import { buildProbeLayer, PROBE_WRAPPER_PATH, type ProbeLayer } from '../../src/core/deployed/probe/probe-layer';
import { ProbeStateStore } from '../../src/core/deployed/probe/probe-state';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import type { ModuleVariable } from '../../src/core/model/snapshot';
import { InvocationHistory } from '../../src/core/model/history';

const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const demo = join(root, 'examples', 'freeze-demo');
const target = { taskRoot: join(fixtures, 'probe-target'), file: join(fixtures, 'probe-target', 'handler.js'), handlerExport: 'handler' };

/** Bundles the probe's files exactly as the child build target does. */
async function buildProbeChildDir(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'warm-state-probe-child-'));
  const base = { bundle: true, platform: 'node' as const, target: 'node18', logLevel: 'warning' as const, absWorkingDir: root };
  await Promise.all([
    esbuild.build({
      ...base,
      entryPoints: ['src/core/deployed/probe/lambda/shim.ts'],
      outfile: join(out, 'probe-shim.mjs'),
      format: 'esm',
      banner: { js: "import { createRequire as __warmStateCreateRequire } from 'node:module'; const require = __warmStateCreateRequire(import.meta.url);" },
    }),
    esbuild.build({ ...base, entryPoints: ['src/core/deployed/probe/lambda/capture-worker.ts'], outfile: join(out, 'capture-worker.js'), format: 'cjs' }),
    esbuild.build({ ...base, entryPoints: ['src/core/runtime/child/entries/esm-hooks.ts'], outfile: join(out, 'esm-hooks.mjs'), format: 'esm' }),
  ]);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<DeployedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeployedError, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

/** The stored configuration as JSON, without the two fields Lambda itself changes on every update. */
function storedConfiguration(endpoint: LambdaEndpoint, name: string): string {
  const { LastModified: _lastModified, RevisionId: _revisionId, ...rest } = endpoint.state.findFunction(name)!.fn.configuration;
  return JSON.stringify(rest);
}

describe('remote probe: attach, capture inside a Lambda-style runtime, detach', function () {
  this.timeout(60000);
  let endpoint: LambdaEndpoint;
  let childDir: string;
  let stateRoot: string;
  let layer: ProbeLayer;
  const saved = new Map<string, string | undefined>();
  let probeTarget: (functionName: string) => ProbeTarget;

  before(async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'WARM_STATE_HOME']) saved.set(name, process.env[name]);
    process.env.AWS_ACCESS_KEY_ID = 'AKIAWARMSTATEPROBE01';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy-secret-probe-tests';
    process.env.AWS_REGION = 'us-east-1';
    childDir = await buildProbeChildDir();
    layer = buildProbeLayer(childDir);
    stateRoot = mkdtempSync(join(tmpdir(), 'warm-state-probe-state-'));
    // The endpoint accepts only its run's key (the dummy variables above are refused); the
    // probe's client finds the key in the endpoint's key file, as the CLI and extension do.
    process.env.WARM_STATE_HOME = stateRoot;
    endpoint = await startLambdaEndpoint({
      port: 0,
      keyFile: (port) => localEndpointKeyFile(port),
      backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }),
      functions: [
        { name: 'freeze-demo', handler: 'handler.test', code: { taskRoot: demo, file: join(demo, 'handler.js'), handlerExport: 'test' } },
        {
          name: 'target',
          code: target,
          environment: { API_KEY: 'sk-live-0123456789abcdef', STAGE: 'dev' },
          timeoutSeconds: 10,
        },
        { name: 'changed', code: target, environment: { STAGE: 'dev' }, timeoutSeconds: 10 },
        { name: 'plain', runtime: 'provided.al2023', handler: 'bootstrap', code: { taskRoot: join(fixtures, 'custom-runtime') } },
      ],
    });
    probeTarget = (functionName) => ({ functionName, endpointUrl: endpoint.url, store: new ProbeStateStore(stateRoot) });
  });

  after(async () => {
    await endpoint?.close();
    rmSync(childDir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('shows the plan first and changes nothing when not confirmed', async () => {
    const before = JSON.stringify(endpoint.state.findFunction('target')!.fn.configuration);
    let shown: AttachPlan | null = null;
    const result = await attachProbe(probeTarget('target'), layer, async (plan) => {
      shown = plan;
      return false;
    });
    assert.equal(result, null);
    assert.ok(shown);
    const plan = shown as AttachPlan;
    assert.equal(plan.runtime, 'nodejs20.x');
    assert.match(plan.changes.join('\n'), /add environment variable AWS_LAMBDA_EXEC_WRAPPER=\/opt\/warm-state\/wrapper; the 2 existing variable\(s\) stay/);
    assert.equal(JSON.stringify(endpoint.state.findFunction('target')!.fn.configuration), before, 'nothing changed, not even the RevisionId');
    assert.equal(endpoint.state.getLayerVersion('warm-state-probe', 1), null, 'no layer published');
  });

  it('attaches to the freeze demo and reads module and handler scope from the log line', async () => {
    const original = storedConfiguration(endpoint, 'freeze-demo');
    const attached = await attachProbe(probeTarget('freeze-demo'), layer, async () => true);
    assert.ok(attached);
    assert.match(attached.layers[0], /:layer:warm-state-probe:\d+$/);
    const configuration = endpoint.state.findFunction('freeze-demo')!.fn.configuration;
    assert.deepEqual(configuration.Environment?.Variables, { AWS_LAMBDA_EXEC_WRAPPER: PROBE_WRAPPER_PATH });
    assert.ok(existsSync(attached.stateFile));

    const fn = await createDeployedFunction({ functionName: 'freeze-demo', endpointUrl: endpoint.url });
    const history = new InvocationHistory();
    try {
      const records = [];
      for (let i = 0; i < 3; i++) records.push(history.add(await fn.invoke({})));
      const [first, , third] = records;
      assert.equal(first.cold, true);
      assert.equal(third.cold, false);
      assert.equal(third.deployed?.probe, 'attached');
      assert.equal(third.captureError, null, String(third.captureError));
      const moduleValue = (name: string) => third.moduleScope.find((v) => v.name === name) as ModuleVariable;
      assert.deepEqual(moduleValue('arrayA').value, { type: 'array', className: 'Array', length: 0, items: [], truncated: false });
      assert.equal((moduleValue('arrayB').value as { length: number }).length, 3);
      const series = moduleValue('arrayB').sizeSeries;
      assert.equal(series.length, 3);
      assert.ok(series[0] < series[1] && series[1] < series[2], `growing sizes ${series}`);
      assert.equal(moduleValue('arrayB').growing, true);
      assert.deepEqual(third.growing, ['arrayB']);
      const handlerValue = (name: string) => third.handlerScope.find((v) => v.name === name)?.value as { length: number } | undefined;
      assert.equal(handlerValue('arrayC')?.length, 0);
      assert.equal(handlerValue('arrayD')?.length, 1);
      assert.ok(!third.logs.includes('WARM_STATE_PROBE'), 'the probe line is taken out of the logs shown');
      assert.match(third.logs, /Array B: \[ 'B', 'B', 'B' \]/);
      assert.match(third.runtimeVersion, /^nodejs20\.x \(v\d+/);
      assert.equal((await fn.describe()).probeAttached, true);
    } finally {
      fn.dispose();
    }

    const detached = await detachProbe(probeTarget('freeze-demo'));
    assert.deepEqual(detached.notes, []);
    assert.equal(storedConfiguration(endpoint, 'freeze-demo'), original, 'configuration restored byte for byte');
    assert.ok(!existsSync(detached.stateFile));
    const after = await createDeployedFunction({ functionName: 'freeze-demo', endpointUrl: endpoint.url });
    try {
      const plain = await after.invoke({});
      assert.equal(plain.deployed?.probe, 'absent');
      assert.equal(plain.moduleScope, null);
      assert.equal(plain.cold, true, 'detaching changes the configuration: a new environment');
    } finally {
      after.dispose();
    }
  });

  it('keeps existing variables, masks secrets inside Lambda, and marks what did not fit the tail', async () => {
    const original = storedConfiguration(endpoint, 'target');
    await attachProbe(probeTarget('target'), layer, async () => true);
    assert.deepEqual(endpoint.state.findFunction('target')!.fn.configuration.Environment?.Variables, {
      API_KEY: 'sk-live-0123456789abcdef',
      STAGE: 'dev',
      AWS_LAMBDA_EXEC_WRAPPER: PROBE_WRAPPER_PATH,
    });
    const fn = await createDeployedFunction({ functionName: 'target', endpointUrl: endpoint.url });
    try {
      const first = await fn.invoke({ id: 1 });
      assert.equal(first.captureError, null, String(first.captureError));
      const apiKey = first.moduleScope?.find((v) => v.name === 'apiKey');
      assert.deepEqual(apiKey?.value, { type: 'string', value: '****', length: 4, truncated: false });
      assert.ok(!JSON.stringify(first).includes('sk-live-0123456789abcdef'));
      const doubled = first.handlerScope?.find((v) => v.name === 'doubled');
      assert.deepEqual(doubled?.value, { type: 'number', value: 0 });
      assert.deepEqual(first.deployed?.truncated, []);

      const noisy = await fn.invoke({ noise: true });
      assert.equal(noisy.deployed?.probe, 'attached');
      assert.ok(noisy.deployed?.truncated.includes('module.noisy'), JSON.stringify(noisy.deployed?.truncated));
      assert.ok(noisy.moduleScope?.some((v) => v.name === 'noisy'), 'a cut value keeps its name');
      assert.ok(noisy.moduleScope?.some((v) => v.name === 'requests'));
      assert.equal(noisy.cold, false);
    } finally {
      fn.dispose();
    }
    await detachProbe(probeTarget('target'));
    assert.equal(storedConfiguration(endpoint, 'target'), original, 'variables and layers restored byte for byte');
  });

  it('reports heap used and the work left pending at the end of each invocation', async () => {
    await attachProbe(probeTarget('target'), layer, async () => true);
    const fn = await createDeployedFunction({ functionName: 'target', endpointUrl: endpoint.url });
    try {
      const left = await fn.invoke({ timer: true });
      assert.equal(left.captureError, null, String(left.captureError));
      assert.ok(left.memory && left.memory.heapUsedBytes > 0 && left.memory.rssBytes >= left.memory.heapUsedBytes, JSON.stringify(left.memory));
      assert.deepEqual(left.pendingAtFreeze?.map((work) => [work.kind, /handler\.js:(\d+)$/.exec(work.createdAt)?.[1]]), [['timer', '15']], JSON.stringify(left.pendingAtFreeze));
      const next = await fn.invoke({});
      assert.deepEqual(next.pendingRan?.map((work) => work.kind), ['timer'], 'the timer ran after the first invocation settled');
      assert.deepEqual(next.pendingAtFreeze, []);
    } finally {
      fn.dispose();
      await detachProbe(probeTarget('target'));
    }
  });

  it('removes only what the probe added when the function changed after the attach', async () => {
    await attachProbe(probeTarget('changed'), layer, async () => true);
    const client = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
    const current = endpoint.state.findFunction('changed')!.fn.configuration;
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'changed',
        Environment: { Variables: { ...current.Environment!.Variables, ADDED_LATER: 'yes' } },
      }),
    );
    client.destroy();
    const detached = await detachProbe(probeTarget('changed'));
    assert.match(detached.notes.join('\n'), /changed after the probe was attached/);
    const configuration = endpoint.state.findFunction('changed')!.fn.configuration;
    assert.deepEqual(configuration.Environment?.Variables, { STAGE: 'dev', ADDED_LATER: 'yes' });
    assert.equal(configuration.Layers, undefined);
  });

  it('refuses a non-Node.js runtime, a qualifier, a second attach and a detach without probe', async () => {
    const notNode = await failure(planAttach(probeTarget('plain')));
    assert.equal(notNode.code, 'probe-refused');
    assert.match(notNode.message, /provided\.al2023; the Warm State probe only works on Node\.js runtimes/);
    const qualified = await failure(attachProbe({ ...probeTarget('target'), qualifier: 'live' }, layer, async () => true));
    assert.equal(qualified.code, 'probe-state');
    await attachProbe(probeTarget('target'), layer, async () => true);
    const twice = await failure(attachProbe(probeTarget('target'), layer, async () => true));
    assert.match(twice.message, /already attached/);
    await detachProbe(probeTarget('target'));
    const none = await failure(detachProbe(probeTarget('target')));
    assert.match(none.message, /not attached/);
  });
});
