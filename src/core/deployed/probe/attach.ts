/**
 * Attaching and detaching the probe on a deployed function.
 *
 * Attach: refuse non-Node.js runtimes, another exec wrapper, or a full layer list; publish
 * the probe layer (PublishLayerVersion); save the function's current layers and variables;
 * then one UpdateFunctionConfiguration that appends the layer and adds
 * AWS_LAMBDA_EXEC_WRAPPER, keeping every existing layer and variable (guarded by RevisionId).
 * The plan is shown to the caller first and applied only once confirmed.
 *
 * Detach: put back exactly the saved layers and variables. If the function was changed by
 * someone else since the attach, only what the probe added is removed (their change kept),
 * and the result says so.
 */
import type { FunctionConfiguration, LambdaClient, Runtime } from '@aws-sdk/client-lambda';
import { DeployedError, toDeployedError, toDeployedErrorAt } from '../errors';
import { createLambdaClient, loadLambdaSdk, resolvedRegion, type ConnectionOptions } from '../lambda-client';
import { isNodeRuntime } from '../deployed-environment';
import { maskSecrets } from '../../lambda/mask';
import { PROBE_COMPATIBLE_RUNTIMES, PROBE_LAYER_NAME, PROBE_WRAPPER_PATH, type ProbeLayer } from './probe-layer';
import { ProbeStateStore, type SavedConfiguration } from './probe-state';

export const WRAPPER_VARIABLE = 'AWS_LAMBDA_EXEC_WRAPPER';
const MAX_LAYERS = 5;

export interface ProbeTarget extends ConnectionOptions {
  functionName: string;
  /** Configuration belongs to $LATEST: any other qualifier is refused. */
  qualifier?: string;
  store?: ProbeStateStore;
}

export interface AttachPlan {
  functionArn: string;
  runtime: string;
  region: string;
  layersBefore: string[];
  /** Human-readable lines: exactly what will change. */
  changes: string[];
  /** Where the previous configuration will be saved. */
  stateFile: string;
}

export interface ProbeChangeResult {
  functionArn: string;
  layers: string[];
  /** Notes for the user (e.g. a targeted detach because the function changed since). */
  notes: string[];
  stateFile: string;
}

async function connect(target: ProbeTarget): Promise<{ client: LambdaClient; region: string }> {
  const client = await createLambdaClient(target);
  const region = await resolvedRegion(client);
  if (!region) {
    client.destroy();
    throw await toDeployedErrorAt(new Error('Region is missing'), context(target, 'ResolveRegion'));
  }
  return { client, region };
}

function context(target: ProbeTarget, operation: string, region?: string) {
  return { operation, functionName: target.functionName, region: region ?? target.region, profile: target.profile, endpointUrl: target.endpointUrl };
}

function checkQualifier(target: ProbeTarget): void {
  if (target.qualifier && target.qualifier !== '$LATEST') {
    throw new DeployedError(
      'probe-state',
      `The probe changes the function's configuration, which belongs to $LATEST; a version or alias (${target.qualifier}) cannot be changed.`,
      'Attach without --qualifier, then publish a version (or point the alias at $LATEST) to probe it.',
    );
  }
}

async function getConfiguration(client: LambdaClient, target: ProbeTarget, region: string): Promise<FunctionConfiguration> {
  const { GetFunctionConfigurationCommand } = await loadLambdaSdk();
  try {
    return await client.send(new GetFunctionConfigurationCommand({ FunctionName: target.functionName }));
  } catch (error) {
    throw await toDeployedErrorAt(error, context(target, 'GetFunctionConfiguration', region));
  }
}

function layerArns(configuration: FunctionConfiguration): string[] {
  return (configuration.Layers ?? []).map((layer) => layer.Arn ?? '').filter((arn) => arn !== '');
}

const isProbeLayer = (arn: string) => arn.includes(`:layer:${PROBE_LAYER_NAME}:`);

/** Looks at the function and says what attaching would change; throws a DeployedError when it must not be attached. */
export async function planAttach(target: ProbeTarget): Promise<AttachPlan> {
  checkQualifier(target);
  const { client, region } = await connect(target);
  try {
    const configuration = await getConfiguration(client, target, region);
    return describePlan(target, configuration, region);
  } finally {
    client.destroy();
  }
}

function describePlan(target: ProbeTarget, configuration: FunctionConfiguration, region: string): AttachPlan {
  const runtime = configuration.Runtime ?? '';
  const name = configuration.FunctionName ?? target.functionName;
  if (!isNodeRuntime(runtime)) {
    throw new DeployedError(
      'probe-refused',
      `${name} runs ${runtime || 'a container image or unknown runtime'}; the Warm State probe only works on Node.js runtimes (nodejs18.x and later). Invoking it works without the probe.`,
      'Invoke without the probe: you still get cold/warm, durations, memory, the response and the logs.',
    );
  }
  const variables = configuration.Environment?.Variables ?? {};
  const layers = layerArns(configuration);
  const store = target.store ?? new ProbeStateStore();
  if (variables[WRAPPER_VARIABLE] === PROBE_WRAPPER_PATH || layers.some(isProbeLayer)) {
    throw new DeployedError('probe-state', `The Warm State probe is already attached to ${name}.`, 'Invoke it to see scopes, or detach it with --detach-probe.');
  }
  if (variables[WRAPPER_VARIABLE] !== undefined) {
    throw new DeployedError(
      'probe-refused',
      `${name} already uses another exec wrapper (${WRAPPER_VARIABLE}=${maskSecrets(variables[WRAPPER_VARIABLE])}); Lambda runs only one, so the probe would replace it.`,
      'Remove that wrapper first if you can do without it for a while, or invoke without the probe.',
    );
  }
  if (layers.length >= MAX_LAYERS) {
    throw new DeployedError('probe-refused', `${name} already has ${layers.length} layers, the most Lambda allows.`, 'Remove one layer for the time of the investigation, or invoke without the probe.');
  }
  return {
    functionArn: configuration.FunctionArn ?? name,
    runtime,
    region,
    layersBefore: layers,
    changes: [
      `add layer ${PROBE_LAYER_NAME} (a new version published now) after the ${layers.length} existing layer(s), which stay as they are`,
      `add environment variable ${WRAPPER_VARIABLE}=${PROBE_WRAPPER_PATH}; the ${Object.keys(variables).length} existing variable(s) stay as they are`,
      'the next invocation is a cold start; each invocation then logs one extra line (WARM_STATE_PROBE/1 ...) with module and handler scope, secret-looking values masked',
    ],
    stateFile: store.fileFor(region, name),
  };
}

/** Waits until Lambda has applied a configuration update (LastUpdateStatus leaves InProgress). */
async function waitUntilUpdated(client: LambdaClient, target: ProbeTarget, region: string): Promise<FunctionConfiguration> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const configuration = await getConfiguration(client, target, region);
    if (configuration.LastUpdateStatus !== 'InProgress') {
      if (configuration.LastUpdateStatus === 'Failed') {
        throw new DeployedError('aws-error', `Lambda could not apply the configuration: ${configuration.LastUpdateStatusReason ?? 'unknown reason'}`, 'Check the function in the AWS console.');
      }
      return configuration;
    }
    if (Date.now() > deadline) throw new DeployedError('aws-error', 'Lambda is still applying the configuration after 2 minutes.', 'Check the function in the AWS console, then try again.');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * Attaches the probe: `confirm` receives the plan and must resolve true for anything to
 * change (nothing is published or modified before that).
 */
export async function attachProbe(target: ProbeTarget, layer: ProbeLayer, confirm: (plan: AttachPlan) => Promise<boolean>): Promise<ProbeChangeResult | null> {
  checkQualifier(target);
  const { client, region } = await connect(target);
  const { PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } = await loadLambdaSdk();
  const store = target.store ?? new ProbeStateStore();
  try {
    const before = await getConfiguration(client, target, region);
    const plan = describePlan(target, before, region);
    if (!(await confirm(plan))) return null;
    let published;
    try {
      published = await client.send(
        new PublishLayerVersionCommand({
          LayerName: PROBE_LAYER_NAME,
          Description: `Warm State probe (sha256 ${layer.sha256.slice(0, 12)})`,
          Content: { ZipFile: layer.zip },
          CompatibleRuntimes: PROBE_COMPATIBLE_RUNTIMES as Runtime[],
        }),
      );
    } catch (error) {
      throw toDeployedError(error, context(target, 'PublishLayerVersion', region));
    }
    const probeLayerArn = published.LayerVersionArn ?? '';
    const name = before.FunctionName ?? target.functionName;
    const saved: SavedConfiguration = {
      functionArn: before.FunctionArn ?? name,
      region,
      savedAt: new Date().toISOString(),
      layers: layerArns(before),
      variables: before.Environment?.Variables ? { ...before.Environment.Variables } : null,
      probeLayerArn,
      revisionAfterAttach: null,
    };
    // Saved before the change, so a failure half-way can still be undone.
    const stateFile = store.save(region, name, saved);
    let updated;
    try {
      updated = await client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: target.functionName,
          Layers: [...saved.layers, probeLayerArn],
          Environment: { Variables: { ...(saved.variables ?? {}), [WRAPPER_VARIABLE]: PROBE_WRAPPER_PATH } },
          RevisionId: before.RevisionId,
        }),
      );
    } catch (error) {
      store.remove(region, name);
      throw toDeployedError(error, context(target, 'UpdateFunctionConfiguration', region));
    }
    const settled = updated.LastUpdateStatus === 'InProgress' ? await waitUntilUpdated(client, target, region) : updated;
    store.save(region, name, { ...saved, revisionAfterAttach: settled.RevisionId ?? null });
    return { functionArn: saved.functionArn, layers: layerArns(settled), notes: [], stateFile };
  } finally {
    client.destroy();
  }
}

/** Detaches the probe, restoring the saved configuration exactly when nobody changed the function since. */
export async function detachProbe(target: ProbeTarget): Promise<ProbeChangeResult> {
  checkQualifier(target);
  const { client, region } = await connect(target);
  const { UpdateFunctionConfigurationCommand } = await loadLambdaSdk();
  const store = target.store ?? new ProbeStateStore();
  try {
    const current = await getConfiguration(client, target, region);
    const name = current.FunctionName ?? target.functionName;
    const saved = store.load(region, name);
    const variables = current.Environment?.Variables ?? {};
    const layers = layerArns(current);
    const attached = variables[WRAPPER_VARIABLE] === PROBE_WRAPPER_PATH || layers.some(isProbeLayer);
    if (!attached) {
      if (saved) store.remove(region, name);
      throw new DeployedError('probe-state', `The Warm State probe is not attached to ${name}.`, 'Nothing to detach.');
    }
    const notes: string[] = [];
    let restoredLayers: string[];
    let restoredVariables: Record<string, string>;
    if (saved && saved.revisionAfterAttach !== null && saved.revisionAfterAttach === current.RevisionId) {
      restoredLayers = saved.layers;
      restoredVariables = saved.variables ?? {};
    } else {
      // Changed since the attach (or attached elsewhere): remove only what the probe added.
      restoredLayers = layers.filter((arn) => !isProbeLayer(arn));
      restoredVariables = Object.fromEntries(Object.entries(variables).filter(([key]) => key !== WRAPPER_VARIABLE));
      notes.push(
        saved
          ? 'The function was changed after the probe was attached, so only the probe layer and AWS_LAMBDA_EXEC_WRAPPER were removed; the other changes were kept.'
          : `No saved configuration for ${name} on this machine (${store.fileFor(region, name)}), so only the probe layer and AWS_LAMBDA_EXEC_WRAPPER were removed.`,
      );
    }
    let updated;
    try {
      updated = await client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: target.functionName,
          Layers: restoredLayers,
          Environment: { Variables: restoredVariables },
          RevisionId: current.RevisionId,
        }),
      );
    } catch (error) {
      throw toDeployedError(error, context(target, 'UpdateFunctionConfiguration', region));
    }
    const settled = updated.LastUpdateStatus === 'InProgress' ? await waitUntilUpdated(client, target, region) : updated;
    const stateFile = store.fileFor(region, name);
    store.remove(region, name);
    return { functionArn: current.FunctionArn ?? name, layers: layerArns(settled), notes, stateFile };
  } finally {
    client.destroy();
  }
}
