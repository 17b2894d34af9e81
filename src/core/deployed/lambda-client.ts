/**
 * Creates the AWS SDK Lambda client for deployed mode. The SDK is loaded lazily with
 * `import()` so that the extension's activation and local-only CLI runs never pay for it.
 * Credentials and region come from the SDK's default chain (environment, shared files,
 * SSO, container/instance roles), optionally for a named profile; an endpoint URL reaches
 * LocalStack, `warm-state serve` or other emulators. For a local Warm State endpoint the key
 * pair of its run is used instead (local-endpoint-key.ts): it accepts no other, and it plays
 * every region, so one is not required there (DEFAULT_REGION when none is configured).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_REGION } from '../lambda/environment';
import { localEndpointKey } from './local-endpoint-key';

export interface ConnectionOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Attempts per call, retries included (default 4). Throttling is retried with backoff. */
  maxAttempts?: number;
}

/** One failed HTTP attempt, seen before the SDK decides to retry. */
export interface AttemptFailure {
  operation: string;
  attempt: number;
  errorName: string;
  httpStatus: number | null;
}

export type LambdaSdk = typeof import('@aws-sdk/client-lambda');

let sdk: Promise<LambdaSdk> | null = null;

/** The SDK module, imported on first use. */
export function loadLambdaSdk(): Promise<LambdaSdk> {
  // The bundled SDK version is fixed at build time; its Node-version notice would only confuse users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-lambda');
  return sdk;
}

export async function createLambdaClient(options: ConnectionOptions, onAttemptFailed?: (failure: AttemptFailure) => void): Promise<LambdaClient> {
  const { LambdaClient } = await loadLambdaSdk();
  const runKey = localEndpointKey(options.endpointUrl);
  const client = new LambdaClient({
    ...(runKey ? { credentials: runKey } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    maxAttempts: options.maxAttempts ?? 4,
  });
  // What serve's banner suggests must work in a shell with no AWS region configured.
  if (runKey && !options.region && (await resolvedRegion(client)) === null) {
    client.destroy();
    return createLambdaClient({ ...options, region: DEFAULT_REGION }, onAttemptFailed);
  }
  if (onAttemptFailed) {
    // Below the retry middleware (finalizeRequest, low priority) this runs once per HTTP attempt: failures seen
    // here are the ones the SDK may retry, so the user can be told about the backoff.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
          const request = args.request as { headers?: Record<string, string> } | undefined;
          const attempt = Number(/attempt=(\d+)/.exec(request?.headers?.['amz-sdk-request'] ?? '')?.[1] ?? 0);
          onAttemptFailed({
            operation: String(context.commandName ?? 'call').replace(/Command$/, ''),
            attempt,
            errorName: failure.name ?? 'Error',
            httpStatus: failure.$metadata?.httpStatusCode ?? null,
          });
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'warmStateAttemptObserver' },
    );
  }
  return client;
}

/** The client's resolved region (from options, AWS_REGION or the profile), or null when none is set. */
export async function resolvedRegion(client: LambdaClient): Promise<string | null> {
  try {
    return await client.config.region();
  } catch {
    return null;
  }
}
