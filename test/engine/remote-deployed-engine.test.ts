/** The extension's deployed session (a core WarmSession over a deployed function) against the local endpoint, with the real SDK. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localEndpointKeyFile } from '../../src/core/deployed/local-endpoint-key';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import type { EnvironmentStatus } from '../../src/core/runtime/environment-api';
import { createDeployedSession } from '../../src/core/session';

const fixtures = join(__dirname, '..', 'fixtures', 'remote');
const counter = { taskRoot: join(fixtures, 'counter'), file: join(fixtures, 'counter', 'handler.js'), handlerExport: 'handler' };

describe('remote deployed engine session (extension)', function () {
  this.timeout(30000);
  let endpoint: LambdaEndpoint;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'WARM_STATE_HOME']) saved.set(name, process.env[name]);
    process.env.AWS_ACCESS_KEY_ID = 'AKIAWARMSTATEENGINE1';
    process.env.AWS_SECRET_ACCESS_KEY = 'dummy-secret-engine';
    process.env.AWS_REGION = 'us-west-2';
    // The endpoint accepts only its run's key; the extension's client finds it in the key file.
    process.env.WARM_STATE_HOME = mkdtempSync(join(tmpdir(), 'warm-state-engine-home-'));
    endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory(), functions: [{ name: 'counter', code: counter }], keyFile: (port) => localEndpointKeyFile(port) });
  });

  after(async () => {
    await endpoint.close();
    rmSync(process.env.WARM_STATE_HOME ?? '', { recursive: true, force: true });
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('gives analysed deployed records and follows cold/warm in its status', async () => {
    const session = createDeployedSession({ functionName: 'counter', endpointUrl: endpoint.url });
    const seen: EnvironmentStatus['state'][] = [];
    const subscription = session.onStatusChange((status) => seen.push(status.state));
    try {
      assert.equal(session.status().state, 'cold');
      const first = await session.invoke({ id: 1 });
      const second = await session.invoke({ id: 2 });
      assert.equal(first.source, 'deployed');
      assert.deepEqual([first.invocation, second.invocation], [1, 2]);
      assert.deepEqual([first.cold, second.cold], [true, false]);
      assert.equal(session.status().warmInvocations, 2);
      assert.equal(session.status().nodeVersion, 'nodejs20.x');
      assert.deepEqual(seen, ['invoking', 'warm', 'invoking', 'warm']);
      await session.reset();
      assert.equal(session.status().lastReset, 'requested');
      const missing = createDeployedSession({ functionName: 'missing', endpointUrl: endpoint.url });
      await assert.rejects(missing.invoke({}), (error: Error) => error.name === 'DeployedError' && /missing was not found/.test(error.message));
      assert.equal(missing.status().state, 'cold');
      await missing.dispose();
    } finally {
      subscription.dispose();
      await session.dispose();
    }
  });
});
