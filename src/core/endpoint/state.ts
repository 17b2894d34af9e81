/**
 * The endpoint's in-memory control plane: function configurations and published layer
 * versions, shaped as Lambda's JSON wire format so that what the SDK reads back is what
 * the service would return. Nothing is persisted: restarting `serve` starts over.
 */
import type { ManagedInstancesOptions } from '../runtime/environment-api';
import { createHash, randomUUID } from 'node:crypto';
import type { FunctionCode } from './backend';
import { ACCOUNT_ID, errors, functionArn, layerArn } from './service-error';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from '../lambda/defaults';
import { handlerString } from '../lambda/environment';
import { DEFAULT_MAX_ENVIRONMENTS } from '../runtime/environment-pool';

export interface WireLayer {
  Arn: string;
  CodeSize: number;
}

/** The fields of Lambda's FunctionConfiguration the endpoint keeps (wire names). */
export interface WireFunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  Layers?: WireLayer[];
  RevisionId: string;
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip';
  Architectures: string[];
  EphemeralStorage: { Size: number };
}

export interface ServedFunction {
  name: string;
  code: FunctionCode;
  configuration: WireFunctionConfiguration;
  /**
   * Environments the function may have at once, so concurrent invocations allowed (the
   * smaller of its reserved concurrency and serve's --max-environments; default
   * DEFAULT_MAX_ENVIRONMENTS): one more concurrent call is throttled, and 0 throttles every
   * call, like reserved concurrency 0. A function served through the Runtime API runs one
   * at a time whatever this says (FunctionBackend.capacity).
   */
  reservedConcurrency: number;
  /**
   * Lambda Managed Instances: each environment runs up to `concurrency` invocations at once in
   * `workers` worker threads, and `reservedConcurrency` counts invocations, not environments.
   */
  managedInstances?: ManagedInstancesOptions;
  /** Invocations in flight. */
  inFlight: number;
  /** Asynchronous invocations accepted (202) and not run yet (invoke-route.ts bounds them). */
  queuedEvents: number;
  /**
   * False imitates emulators whose log tail carries no platform REPORT line (LocalStack
   * style), so clients can be tested against it. Default true.
   */
  reportLines: boolean;
}

export interface LayerVersion {
  name: string;
  version: number;
  zip: Buffer;
  description: string;
  compatibleRuntimes: string[];
  createdDate: string;
  codeSha256: string;
  /** Bytes its files take unzipped (counted while inflating, never taken from the archive's headers). */
  unzippedSize: number;
}

/** Lambda's timestamp format, e.g. 2026-11-26T15:00:00.000+0000. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

export interface FunctionRegistration {
  name: string;
  code: FunctionCode;
  runtime?: string;
  handler?: string;
  memoryMB?: number;
  timeoutSeconds?: number;
  environment?: Record<string, string>;
  description?: string;
  /** See ServedFunction.reservedConcurrency. */
  reservedConcurrency?: number;
  managedInstances?: ManagedInstancesOptions;
  reportLines?: boolean;
}

export class EndpointState {
  private readonly functions = new Map<string, ServedFunction>();
  private readonly layers = new Map<string, LayerVersion[]>();

  constructor(readonly region: string) {}

  addFunction(registration: FunctionRegistration): ServedFunction {
    const codeSha256 = createHash('sha256').update(registration.code.file ?? registration.code.taskRoot).digest('base64');
    const configuration: WireFunctionConfiguration = {
      FunctionName: registration.name,
      FunctionArn: functionArn(this.region, registration.name),
      Runtime: registration.runtime ?? 'nodejs20.x',
      Role: `arn:aws:iam::${ACCOUNT_ID}:role/warm-state-local`,
      Handler: registration.handler ?? defaultHandlerString(registration.code),
      CodeSize: 0,
      Description: registration.description ?? '',
      Timeout: registration.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      MemorySize: registration.memoryMB ?? DEFAULT_MEMORY_MB,
      LastModified: lambdaTimestamp(),
      CodeSha256: codeSha256,
      Version: '$LATEST',
      ...(registration.environment && Object.keys(registration.environment).length > 0
        ? { Environment: { Variables: { ...registration.environment } } }
        : {}),
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
    };
    const served: ServedFunction = {
      name: registration.name,
      code: registration.code,
      configuration,
      reservedConcurrency: registration.reservedConcurrency ?? DEFAULT_MAX_ENVIRONMENTS,
      ...(registration.managedInstances ? { managedInstances: { ...registration.managedInstances } } : {}),
      inFlight: 0,
      queuedEvents: 0,
      reportLines: registration.reportLines ?? true,
    };
    this.functions.set(registration.name, served);
    return served;
  }

  /** Looks a function up by name, partial ARN or full ARN (with an optional qualifier). */
  findFunction(nameOrArn: string): { fn: ServedFunction; qualifier: string | undefined } | null {
    const { name, qualifier } = parseFunctionName(nameOrArn);
    const fn = this.functions.get(name);
    return fn ? { fn, qualifier } : null;
  }

  /**
   * The function a request names (path and Qualifier), as Lambda resolves it, or the error
   * Lambda answers: a qualifier in the name that the Qualifier parameter contradicts (400), an
   * ARN of a region that is neither the one the caller signed for (the endpoint plays every
   * region, one per request, as each of Lambda's regional endpoints serves its own) nor the
   * endpoint's own (the region of the ARNs it reports), an unknown name or a qualifier other
   * than $LATEST (404). Another account's ARN is served: on Lambda a resource policy may allow
   * it, and the local functions stand for the user's own.
   */
  resolveFunction(nameOrArn: string, qualifierParameter: string | null, region: string): ServedFunction {
    const named = parseFunctionName(nameOrArn);
    if (named.name.includes(':')) throw errors.invalidFunctionName(nameOrArn);
    if (qualifierParameter !== null && named.qualifier !== undefined && qualifierParameter !== named.qualifier) {
      throw errors.invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    if (named.region !== undefined && named.region !== region && named.region !== this.region) throw errors.otherRegion(named.region, region);
    const qualifier = qualifierParameter ?? named.qualifier;
    const fn = this.functions.get(named.name);
    if (!fn || (qualifier !== undefined && qualifier !== '$LATEST')) throw errors.functionNotFound(functionArnOf(nameOrArn, region, qualifier));
    return fn;
  }

  listFunctions(): ServedFunction[] {
    return [...this.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  publishLayerVersion(name: string, zip: Buffer, unzippedSize: number, description: string, compatibleRuntimes: string[]): LayerVersion {
    const versions = this.layers.get(name) ?? [];
    const layer: LayerVersion = {
      name,
      version: versions.length + 1,
      zip,
      unzippedSize,
      description,
      compatibleRuntimes,
      createdDate: lambdaTimestamp(),
      codeSha256: createHash('sha256').update(zip).digest('base64'),
    };
    versions.push(layer);
    this.layers.set(name, versions);
    return layer;
  }

  getLayerVersion(name: string, version: number): LayerVersion | null {
    return this.layers.get(name)?.[version - 1] ?? null;
  }

  /** Resolves a layer version ARN published here; null for unknown ARNs. */
  layerByArn(arn: string): LayerVersion | null {
    const match = /^arn:aws[a-z-]*:lambda:[^:]*:\d{12}:layer:([^:]+):(\d+)$/.exec(arn);
    return match ? this.getLayerVersion(match[1], Number(match[2])) : null;
  }

  layerVersionArn(layer: LayerVersion): string {
    return layerArn(this.region, layer.name, layer.version);
  }
}

/** `file.export` relative to the task root, as a Lambda handler string: a function's Handler until a configuration change sets another. */
export function defaultHandlerString(code: FunctionCode): string {
  return code.file && code.handlerExport ? handlerString(code.taskRoot, code.file, code.handlerExport) : 'index.handler';
}

/**
 * A FunctionName as Lambda's API takes it: `name`, `name:qualifier`, a partial ARN
 * (`123456789012:function:name[:qualifier]`) or a full one (which also names a region).
 */
export function parseFunctionName(nameOrArn: string): { name: string; qualifier: string | undefined; region: string | undefined; account: string | undefined; partition: string | undefined } {
  const arn = /^arn:(aws[a-z-]*):lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/.exec(nameOrArn);
  if (arn) return { name: arn[4], qualifier: arn[5], region: arn[2], account: arn[3], partition: arn[1] };
  const partial = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/.exec(nameOrArn);
  if (partial) return { name: partial[2], qualifier: partial[3], region: undefined, account: partial[1], partition: undefined };
  const qualified = /^([^:]+):([^:]+)$/.exec(nameOrArn);
  if (qualified) return { name: qualified[1], qualifier: qualified[2], region: undefined, account: undefined, partition: undefined };
  // None of Lambda's forms when it still has a colon (`...:function:f:`, an empty region): the name is the whole text.
  return { name: nameOrArn, qualifier: undefined, region: undefined, account: undefined, partition: undefined };
}

/**
 * The ARN a FunctionName stands for, for messages (not found, AccessDenied's resource), with the
 * partition, account and region it names; text that is none of Lambda's forms as it is, never
 * nested in another ARN.
 */
export function functionArnOf(nameOrArn: string, region: string, qualifier?: string): string {
  const named = parseFunctionName(nameOrArn);
  if (named.name.includes(':')) return nameOrArn;
  const arn = functionArn(named.region ?? region, named.name, qualifier ?? named.qualifier, named.account);
  return named.partition ? arn.replace(/^arn:aws:/, `arn:${named.partition}:`) : arn;
}
