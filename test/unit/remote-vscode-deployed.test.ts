import assert from 'node:assert/strict';
import { DEPLOYED_SETTINGS_CONTRIBUTION, mappingKey, readDeployedSettings, splitQualifier } from '../../src/vscode/deployed/deployed-settings';
import { attachConfirmation, errorNotification, functionPickItems } from '../../src/vscode/deployed/deployed-text';
import { DeployedError } from '../../src/core/deployed/errors';

describe('remote vscode: deployed settings and texts', () => {
  it('reads settings, ignoring blanks and invalid values', () => {
    const values: Record<string, unknown> = {
      'aws.profile': ' dev ',
      'aws.region': '',
      'aws.endpointUrl': 'localhost:3001',
      'deployed.functions': { 'src/a.js:handler': 'fn-a', 'src/b.js:handler': 42 },
      'localEndpoint.port': 70000,
    };
    assert.deepEqual(readDeployedSettings((key) => values[key]), {
      profile: 'dev',
      region: undefined,
      endpointUrl: undefined,
      functions: { 'src/a.js:handler': 'fn-a' },
      localEndpointPort: 3001,
    });
    assert.equal(readDeployedSettings((key) => (key === 'aws.endpointUrl' ? 'http://127.0.0.1:9000' : undefined)).endpointUrl, 'http://127.0.0.1:9000');
    for (const key of Object.keys(DEPLOYED_SETTINGS_CONTRIBUTION)) assert.ok(key.startsWith('warmState.'));
  });

  it('builds mapping keys and splits qualifiers from names and ARNs', () => {
    assert.equal(mappingKey('src\\app.js', 'handler'), 'src/app.js:handler');
    assert.deepEqual(splitQualifier('orders'), { functionName: 'orders' });
    assert.deepEqual(splitQualifier('orders:live'), { functionName: 'orders', qualifier: 'live' });
    assert.deepEqual(splitQualifier('arn:aws:lambda:eu-west-1:123456789012:function:orders'), { functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:orders' });
    assert.deepEqual(splitQualifier('arn:aws:lambda:eu-west-1:123456789012:function:orders:7'), {
      functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
      qualifier: '7',
    });
  });

  it('labels picker items and flags runtimes the probe cannot use', () => {
    const items = functionPickItems([
      { name: 'a', arn: 'arn:a', runtime: 'nodejs20.x', description: 'orders API', lastModified: null, isNode: true },
      { name: 'b', arn: 'arn:b', runtime: 'python3.12', description: '', lastModified: null, isNode: false },
      { name: 'c', arn: 'arn:c', runtime: null, description: '', lastModified: null, isNode: false },
    ]);
    assert.deepEqual(items.map((i) => [i.label, i.description, i.detail]), [
      ['a', 'nodejs20.x', 'orders API'],
      ['b', 'python3.12 · probe not available', undefined],
      ['c', 'container image · probe not available', undefined],
    ]);
  });

  it('says exactly what attaching changes, and errors with their next step', () => {
    const text = attachConfirmation({
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
      runtime: 'nodejs20.x',
      region: 'eu-west-1',
      layersBefore: [],
      changes: ['add layer X', 'add variable Y'],
      stateFile: '/home/u/.warm-state/probes/eu-west-1/orders.json',
    });
    assert.equal(text.message, 'Attach the Warm State probe to orders?');
    assert.match(text.detail, /• add layer X\n• add variable Y/);
    assert.match(text.detail, /saved in \/home\/u\/\.warm-state\/probes\/eu-west-1\/orders\.json/);
    const error = new DeployedError('function-not-found', 'Function x was not found.', 'Check the name.');
    assert.deepEqual(errorNotification(error), { message: 'Warm State: Function x was not found.', detail: 'Next step: Check the name.' });
  });
});
