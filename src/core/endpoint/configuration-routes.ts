/**
 * Function configuration calls the deployed client, the probe and deploy scripts need:
 * GetFunctionConfiguration, GetFunction (what the SDK's waitUntilFunctionUpdatedV2 polls),
 * UpdateFunctionConfiguration and ListFunctions (paginated with Marker / NextMarker like the
 * service).
 *
 * A configuration change decides what the next cold start runs, so the changes that can make it
 * run other code (layers, the handler, the runtime, variables that Node, the dynamic loader or
 * a shell read to load code) are made only for verified callers (auth.ts).
 */
import { randomUUID } from 'node:crypto';
import { UNZIPPED_LIMIT } from '../lambda/zip';
import type { Caller } from './auth';
import type { BackendPool } from './backends';
import { jsonReply, type Route, type RouteRequest } from './router';
import { errors } from './service-error';
import { functionArnOf, lambdaTimestamp, type EndpointState, type ServedFunction, type WireFunctionConfiguration } from './state';

/** Lambda's limit on the total size of a function's environment variables. */
const ENVIRONMENT_LIMIT = 4 * 1024;

export function configurationRoutes(state: EndpointState, pool: BackendPool): Route[] {
  const find = (request: RouteRequest): ServedFunction => state.resolveFunction(request.params.name, request.query.get('Qualifier'), request.region);
  return [
    {
      method: 'GET',
      pattern: '/2015-03-31/functions/{name}/configuration',
      action: 'lambda:GetFunctionConfiguration',
      resource: (params, region) => functionArnOf(params.name, region),
      handle: async (request) => jsonReply(200, find(request).configuration),
    },
    {
      method: 'GET',
      pattern: '/2015-03-31/functions/{name}',
      action: 'lambda:GetFunction',
      resource: (params, region) => functionArnOf(params.name, region),
      // The code is a folder on this machine, not an S3 object: no download Location.
      handle: async (request) => jsonReply(200, { Configuration: find(request).configuration, Code: { RepositoryType: 'S3' } }),
    },
    {
      method: 'PUT',
      pattern: '/2015-03-31/functions/{name}/configuration',
      action: 'lambda:UpdateFunctionConfiguration',
      resource: (params, region) => functionArnOf(params.name, region),
      handle: async (request) => {
        const fn = find(request);
        fn.configuration = applyUpdate(state, fn.configuration, parseBody(request), request.caller);
        await pool.drop(fn.name);
        return jsonReply(200, fn.configuration);
      },
    },
    {
      method: 'GET',
      pattern: '/2015-03-31/functions',
      action: 'lambda:ListFunctions',
      resource: () => '*',
      handle: async (request) => listFunctions(state, request),
    },
  ];
}

function parseBody(request: RouteRequest): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(request.body.toString('utf8') || '{}');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw errors.invalidJson(error instanceof Error ? error.message : String(error));
  }
}

/** Applies an UpdateFunctionConfiguration body; fields not given keep their values, as in Lambda. */
function applyUpdate(state: EndpointState, current: WireFunctionConfiguration, body: Record<string, unknown>, caller: Caller): WireFunctionConfiguration {
  if (typeof body.RevisionId === 'string' && body.RevisionId !== current.RevisionId) throw errors.preconditionFailed();
  const next: WireFunctionConfiguration = { ...current };
  if (body.Description !== undefined) next.Description = expectString(body.Description, 'Description');
  if (body.Handler !== undefined) next.Handler = expectString(body.Handler, 'Handler');
  if (body.Runtime !== undefined) next.Runtime = expectString(body.Runtime, 'Runtime');
  if (body.Timeout !== undefined) next.Timeout = expectInteger(body.Timeout, 'Timeout', 1, 900);
  if (body.MemorySize !== undefined) next.MemorySize = expectInteger(body.MemorySize, 'MemorySize', 128, 10240);
  if (body.Environment !== undefined) {
    const variables = (body.Environment as { Variables?: unknown } | null)?.Variables ?? {};
    if (typeof variables !== 'object' || variables === null || Object.values(variables).some((v) => typeof v !== 'string')) {
      throw errors.invalidParameter('Environment.Variables must map names to strings');
    }
    const map = variables as Record<string, string>;
    for (const name of Object.keys(map)) {
      if (!/^[a-zA-Z]\w*$/.test(name)) throw errors.invalidParameter(`Environment variable name "${name}" is not valid`);
      if (name.startsWith('AWS_') && name !== 'AWS_LAMBDA_EXEC_WRAPPER') {
        throw errors.invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${name}`);
      }
    }
    if (Buffer.byteLength(JSON.stringify(map)) > ENVIRONMENT_LIMIT) {
      throw errors.invalidParameter('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
    }
    next.Environment = Object.keys(map).length > 0 ? { Variables: { ...map } } : undefined;
  }
  if (body.Layers !== undefined) {
    if (!Array.isArray(body.Layers) || body.Layers.some((l) => typeof l !== 'string')) throw errors.invalidParameter('Layers must be a list of layer version ARNs');
    if (body.Layers.length > 5) throw errors.invalidParameter('Cannot reference more than 5 layers.');
    let unzipped = 0;
    next.Layers = (body.Layers as string[]).map((arn) => {
      const layer = state.layerByArn(arn);
      if (!layer) throw errors.invalidParameter(`Layer version ${arn} does not exist.`);
      unzipped += layer.unzippedSize;
      return { Arn: arn, CodeSize: layer.zip.length };
    });
    if (unzipped > UNZIPPED_LIMIT) {
      throw errors.invalidParameter(`Function code combined with layers exceeds the maximum allowed size of ${UNZIPPED_LIMIT} bytes. The actual size is ${unzipped} bytes.`);
    }
    if (next.Layers.length === 0) next.Layers = undefined;
  }
  const runsCode = codeRunningChanges(current, next);
  if (runsCode.length > 0 && !caller.verified) {
    throw errors.codeChangeRefused(caller.arn, 'lambda:UpdateFunctionConfiguration', current.FunctionArn, runsCode.join(', '));
  }
  next.LastModified = lambdaTimestamp();
  next.RevisionId = randomUUID();
  return canonical(next);
}

/**
 * Variables read to load code before or besides the handler: Node's own (NODE_OPTIONS --require,
 * NODE_PATH...; NODE_ENV is only a convention of libraries), the runtime's wrapper, the dynamic
 * loader's (LD_PRELOAD...), and what picks the programs and shell start-up files a process runs.
 * Any case: Windows reads `node_options` as NODE_OPTIONS.
 */
const CODE_LOADING_VARIABLE = /^(NODE_(?!ENV$)\w+|AWS_LAMBDA_EXEC_WRAPPER|LD_\w+|DYLD_\w+|PATH|BASH_ENV|ENV)$/i;

/** What in `next` could make the function run code `current` would not: empty when nothing. */
export function codeRunningChanges(current: WireFunctionConfiguration, next: WireFunctionConfiguration): string[] {
  const changes: string[] = [];
  const currentLayers = new Set((current.Layers ?? []).map((layer) => layer.Arn));
  if ((next.Layers ?? []).some((layer) => !currentLayers.has(layer.Arn))) changes.push('layers');
  if (next.Handler !== current.Handler) changes.push('Handler');
  if (next.Runtime !== current.Runtime) changes.push('Runtime');
  const before = current.Environment?.Variables ?? {};
  for (const [name, value] of Object.entries(next.Environment?.Variables ?? {})) {
    if (CODE_LOADING_VARIABLE.test(name) && before[name] !== value) changes.push(name);
  }
  return changes;
}

/** Rebuilds the object in the service's field order, dropping absent optional fields, so JSON bytes are stable. */
function canonical(c: WireFunctionConfiguration): WireFunctionConfiguration {
  return {
    FunctionName: c.FunctionName,
    FunctionArn: c.FunctionArn,
    Runtime: c.Runtime,
    Role: c.Role,
    Handler: c.Handler,
    CodeSize: c.CodeSize,
    Description: c.Description,
    Timeout: c.Timeout,
    MemorySize: c.MemorySize,
    LastModified: c.LastModified,
    CodeSha256: c.CodeSha256,
    Version: c.Version,
    ...(c.Environment ? { Environment: c.Environment } : {}),
    ...(c.Layers ? { Layers: c.Layers } : {}),
    RevisionId: c.RevisionId,
    State: c.State,
    LastUpdateStatus: c.LastUpdateStatus,
    PackageType: c.PackageType,
    Architectures: c.Architectures,
    EphemeralStorage: c.EphemeralStorage,
  };
}

export { canonical as canonicalConfiguration };

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw errors.invalidParameter(`${field} must be a string`);
  return value;
}

function expectInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw errors.invalidParameter(`${field} must be a whole number between ${min} and ${max}`);
  }
  return value;
}

function listFunctions(state: EndpointState, request: RouteRequest) {
  const all = state.listFunctions();
  const maxItemsText = request.query.get('MaxItems');
  const maxItems = maxItemsText === null ? 50 : Number(maxItemsText);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000) throw errors.invalidParameter('MaxItems must be between 1 and 10000');
  let start = 0;
  const marker = request.query.get('Marker');
  if (marker !== null) {
    const name = Buffer.from(marker, 'base64url').toString('utf8');
    start = all.findIndex((fn) => fn.name === name);
    if (start < 0 || Buffer.from(name).toString('base64url') !== marker) throw errors.invalidParameter('Invalid Marker');
  }
  const page = all.slice(start, start + maxItems);
  const next = all[start + maxItems];
  return jsonReply(200, {
    Functions: page.map((fn) => fn.configuration),
    ...(next ? { NextMarker: Buffer.from(next.name).toString('base64url') } : {}),
  });
}
