import assert from 'node:assert/strict';
import {
  RUNTIME_PROFILE_NAMES,
  UnknownRuntimeError,
  chooseRuntime,
  deployedClientGeneration,
  describeRuntimeSource,
  lambdaNodeFlags,
  nodeMajorMismatch,
  runtimeProfile,
} from '../../src/core/lambda/runtime-profiles';

describe('lambda runtime profiles', () => {
  it('takes --runtime over the setting, the setting over the template, the template over the local node', () => {
    const all = { flag: 'nodejs22.x', setting: 'nodejs24.x', template: 'nodejs20.x', nodeVersion: 'v24.1.0' };
    assert.deepEqual(chooseRuntime(all), { profile: 'nodejs22.x', source: 'flag', warning: null });
    assert.deepEqual(chooseRuntime({ ...all, flag: null }), { profile: 'nodejs24.x', source: 'setting', warning: null });
    assert.deepEqual(chooseRuntime({ ...all, flag: null, setting: '' }), { profile: 'nodejs20.x', source: 'template', warning: null });
    assert.deepEqual(chooseRuntime({ nodeVersion: 'v22.23.5' }), { profile: 'nodejs22.x', source: 'node-major', warning: null });
  });

  it('falls back from a local node that is no Lambda runtime to the next lower profile, and says so', () => {
    for (const [version, profile] of [['v21.7.0', 'nodejs20.x'], ['v23.1.0', 'nodejs22.x'], ['v25.0.0', 'nodejs24.x'], ['v18.20.0', 'nodejs20.x']] as const) {
      const choice = chooseRuntime({ nodeVersion: version });
      assert.equal(choice.profile, profile, version);
      assert.equal(choice.source, 'node-major');
      assert.match(choice.warning ?? '', new RegExp(`running as ${profile.replace('.', '\\.')}`));
    }
  });

  it('refuses an unknown flag or setting value, naming every supported runtime', () => {
    assert.throws(() => chooseRuntime({ flag: 'nodejs18.x', nodeVersion: 'v20.0.0' }), (error: unknown) => {
      assert.ok(error instanceof UnknownRuntimeError);
      for (const name of RUNTIME_PROFILE_NAMES) assert.ok(error.message.includes(name), error.message);
      return true;
    });
    assert.throws(() => chooseRuntime({ setting: 'python3.12', nodeVersion: 'v20.0.0' }), /warmState\.runtime setting/);
  });

  it('runs a template runtime it does not model as the nearest lower profile, with a warning', () => {
    const choice = chooseRuntime({ template: 'nodejs26.x', nodeVersion: 'v20.0.0' });
    assert.equal(choice.profile, 'nodejs24.x');
    assert.equal(choice.source, 'template');
    assert.match(choice.warning ?? '', /nodejs26\.x/);
    // A non-Node template runtime says nothing about the profile: the local node decides.
    assert.equal(chooseRuntime({ template: 'python3.12', nodeVersion: 'v22.1.0' }).source, 'node-major');
  });

  it('gives the 3.x client to nodejs20.x and nodejs22.x, the 4.x client to nodejs24.x and to Managed Instances', () => {
    assert.equal(runtimeProfile('nodejs20.x').client, 3);
    assert.equal(runtimeProfile('nodejs22.x').client, 3);
    assert.equal(runtimeProfile('nodejs24.x').client, 4);
    assert.equal(runtimeProfile('nodejs22.x', { managedInstances: true }).client, 4);
  });

  it("applies Lambda's Node flags unless NODE_OPTIONS turns the feature back on", () => {
    assert.deepEqual(lambdaNodeFlags(runtimeProfile('nodejs22.x'), undefined), ['--expose-gc', '--no-experimental-require-module', '--no-experimental-detect-module']);
    assert.deepEqual(lambdaNodeFlags(runtimeProfile('nodejs22.x'), '--enable-source-maps --experimental-require-module'), ['--expose-gc', '--no-experimental-detect-module']);
    assert.deepEqual(lambdaNodeFlags(runtimeProfile('nodejs20.x'), '--experimental-detect-module'), ['--expose-gc', '--no-experimental-require-module']);
    assert.deepEqual(lambdaNodeFlags(runtimeProfile('nodejs24.x'), undefined), ['--expose-gc']);
  });

  it('nodeMajorMismatch warns only when the majors differ', () => {
    assert.equal(nodeMajorMismatch('nodejs20.x', 'v20.20.2'), null);
    assert.equal(nodeMajorMismatch('nodejs20.x', '20.1.0'), null);
    const warning = nodeMajorMismatch('nodejs22.x', 'v20.20.2');
    assert.ok(warning);
    assert.match(warning, /runtime is nodejs22\.x \(Node\.js 22\) but the local node is v20\.20\.2 \(Node\.js 20\)/);
    assert.match(nodeMajorMismatch('nodejs18.x', '24.0.0') ?? '', /local node is v24\.0\.0/);
    assert.equal(nodeMajorMismatch('python3.12', 'v20.0.0'), null);
    assert.equal(nodeMajorMismatch('nodejs20.x', 'garbage'), null);
  });

  it('says where a choice came from the way the CLI and the panel show it', () => {
    assert.equal(describeRuntimeSource('flag'), 'from --runtime');
    assert.equal(describeRuntimeSource('setting'), 'from the warmState.runtime setting');
    assert.equal(describeRuntimeSource('template', { templateFile: 'app/template.yaml' }), 'from app/template.yaml');
    assert.equal(describeRuntimeSource('node-major', { nodeVersion: 'v22.23.5' }), 'from the local Node 22');
  });

  it("tells a deployed function's client generation from Lambda's variables (the probe's loader)", () => {
    assert.equal(deployedClientGeneration({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' }), 3);
    assert.equal(deployedClientGeneration({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' }), 3);
    assert.equal(deployedClientGeneration({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }), 4);
    assert.equal(deployedClientGeneration({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs26.x' }), 4);
    // Managed Instances run the 4.x client on nodejs22.x too.
    assert.equal(deployedClientGeneration({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_MAX_CONCURRENCY: '8' }), 4);
    assert.equal(deployedClientGeneration({}), 3);
  });
});
