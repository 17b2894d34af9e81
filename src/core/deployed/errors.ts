/**
 * The failures a user meets when calling a deployed function, each turned into a message
 * that says what happened and a next step that says what to do. Works from what the AWS
 * SDK actually throws (error name, message, HTTP status, Node network codes).
 */
import { maskSecrets } from '../lambda/mask';
import { localEndpointRefusal } from './local-endpoint-key';

export type DeployedErrorCode =
  | 'no-credentials'
  | 'sso-expired'
  | 'expired-token'
  | 'invalid-credentials'
  | 'access-denied'
  | 'no-region'
  | 'function-not-found'
  | 'throttled'
  | 'payload-too-large'
  | 'invalid-event'
  | 'unreachable'
  | 'probe-refused'
  | 'probe-state'
  | 'aws-error';

export class DeployedError extends Error {
  constructor(
    readonly code: DeployedErrorCode,
    message: string,
    /** What the user should do next, one sentence. */
    readonly nextStep: string,
    /** The SDK's error name (e.g. AccessDeniedException), when there was one. */
    readonly awsErrorName: string | null = null,
    /** For access-denied: the IAM action that was missing, e.g. lambda:InvokeFunction. */
    readonly missingPermission: string | null = null,
  ) {
    super(message);
    this.name = 'DeployedError';
  }

  /** Message and next step, for terminals and notifications. */
  describe(): string {
    return `${this.message}\nNext step: ${this.nextStep}`;
  }
}

export interface CallContext {
  /** The Lambda API call that failed, e.g. `Invoke`, `GetFunctionConfiguration`. */
  operation: string;
  functionName: string;
  qualifier?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** SDK attempts made (retries included), when known. */
  attempts?: number;
  /** Event size in bytes for Invoke. */
  payloadBytes?: number;
}

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  Reason?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number };
}

function networkCode(error: SdkLikeError): string | undefined {
  if (typeof error.code === 'string') return error.code;
  for (const inner of [...(error.errors ?? []), error.cause]) {
    if (inner && typeof inner === 'object' && typeof (inner as SdkLikeError).code === 'string') return (inner as SdkLikeError).code;
  }
  return undefined;
}

/** Turns anything the SDK throws into a DeployedError (already-converted errors pass through). */
export function toDeployedError(thrown: unknown, context: CallContext): DeployedError {
  if (thrown instanceof DeployedError) return thrown;
  const error: SdkLikeError = thrown && typeof thrown === 'object' ? (thrown as SdkLikeError) : { message: String(thrown) };
  const name = error.name ?? 'Error';
  const message = maskSecrets(error.message ?? String(thrown));
  const profile = context.profile ? ` --profile ${context.profile}` : '';
  const target = `${context.functionName}${context.qualifier ? `:${context.qualifier}` : ''}`;
  const where = context.endpointUrl ? `at ${context.endpointUrl}` : `in ${context.region ?? 'the configured region'}`;
  const make = (code: DeployedErrorCode, text: string, next: string, permission: string | null = null) =>
    new DeployedError(code, text, next, name, permission);

  if (/SSO session .*(expired|invalid)|sso.*token.*expired|Token is expired|refresh.*SSO/i.test(message)) {
    return make('sso-expired', `Your AWS SSO session has expired (${message.split('\n')[0]})`, `Sign in again: aws sso login${profile}`);
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials|no credentials/i.test(message)) {
    return make(
      'no-credentials',
      `No AWS credentials were found${context.profile ? ` for profile "${context.profile}"` : ''} (the SDK looked in environment variables, ~/.aws/credentials and ~/.aws/config, SSO, and container/instance roles): ${message.split('\n')[0]}`,
      context.profile
        ? `Check that profile "${context.profile}" exists in ~/.aws/config, or run: aws configure --profile ${context.profile}`
        : 'Run `aws configure` (or `aws sso login --profile NAME` and pass --profile NAME), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || name === 'RequestExpired' || /security token included in the request is expired/i.test(message)) {
    return make(
      'expired-token',
      `Your AWS session token has expired (${name}).`,
      context.profile ? `Refresh the session: aws sso login${profile} (or renew the temporary credentials for that profile)` : 'Renew the temporary credentials (aws sso login, or a new AWS_SESSION_TOKEN) and try again.',
    );
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'InvalidClientTokenId' || name === 'MissingAuthenticationTokenException') {
    return make(
      'invalid-credentials',
      `AWS rejected the credentials (${name}): ${message}`,
      context.endpointUrl
        ? `A Warm State endpoint (warm-state serve) accepts only the key pair of its run, which Warm State reads from the key file named at its start: run as the user who started it, or start it with --allow-any-credentials to let other keys invoke. Other endpoints: check the access key and secret.`
        : 'Check the access key and secret (aws sts get-caller-identity shows which identity is used), or choose another --profile.',
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || error.$metadata?.httpStatusCode === 403) {
    const action = /perform: ([\w-]+:[\w*]+)/.exec(message)?.[1] ?? defaultActionFor(context.operation);
    const resource = /on resource: (\S+)/.exec(message)?.[1];
    return make(
      'access-denied',
      `Access denied: your identity may not call ${action}${resource ? ` on ${resource}` : ` on ${target}`}.`,
      `Ask for the IAM permission ${action} on this function (or use a --profile that has it).`,
      action,
    );
  }
  if (/Region is missing|region.*not.*(set|configured)/i.test(message)) {
    return make('no-region', 'No AWS region is set.', 'Pass --region (e.g. --region us-east-1), set AWS_REGION, or add region to your profile in ~/.aws/config.');
  }
  if (name === 'ResourceNotFoundException') {
    return make(
      'function-not-found',
      `Function ${target} was not found ${where}.`,
      `Check the name, qualifier and region (aws lambda list-functions --region ${context.region ?? 'REGION'}${profile} lists them).`,
    );
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || error.$metadata?.httpStatusCode === 429) {
    const attempts = error.$metadata?.attempts ?? context.attempts;
    return make(
      'throttled',
      `Lambda throttled the call${error.Reason ? ` (${error.Reason})` : ''} and it was still throttled after ${attempts ?? 'several'} attempts with backoff.`,
      'Wait and try again; if it keeps happening, check the function\'s reserved concurrency and the account\'s concurrency limit.',
    );
  }
  if (name === 'RequestTooLargeException' || error.$metadata?.httpStatusCode === 413) {
    const size = context.payloadBytes !== undefined ? ` (${(context.payloadBytes / 1024 / 1024).toFixed(2)} MB)` : '';
    return make('payload-too-large', `The event is too large${size}: synchronous invocations accept at most 6 MB (6291456 bytes).`, 'Send a smaller event, or put large data in S3 and pass its key in the event.');
  }
  if (name === 'InvalidRequestContentException') {
    return make('invalid-event', `Lambda could not read the event: ${message}`, 'Check that the event file contains valid JSON.');
  }
  const network = networkCode(error);
  if (network && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH/.test(network)) {
    return make(
      'unreachable',
      `Could not reach ${context.endpointUrl ?? `the Lambda endpoint for ${context.region ?? 'the region'}`} (${network}).`,
      context.endpointUrl ? 'Check that the endpoint is running (e.g. warm-state serve) and the URL is right.' : 'Check your network connection and the region name.',
    );
  }
  return make('aws-error', `${context.operation} failed: ${name}: ${message}`, 'See the AWS error above; run again with the AWS CLI to compare, or check the function in the AWS console.');
}

/**
 * toDeployedError, except for a call that never reached a server (no credentials, no region, an
 * expired SSO session: no HTTP status) at a local endpoint URL where nothing listens: that is
 * reported as the unreachable endpoint it is. With serve stopped (no key file) or a mistyped
 * port, "run aws configure" or "pass --region" would send the user to fix something a local
 * endpoint does not need.
 */
export async function toDeployedErrorAt(thrown: unknown, context: CallContext): Promise<DeployedError> {
  const mapped = toDeployedError(thrown, context);
  const answered = (thrown as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode !== undefined;
  if (answered || mapped.code === 'unreachable') return mapped;
  const refusal = await localEndpointRefusal(context.endpointUrl);
  return refusal ? toDeployedError(refusal, { ...context, operation: 'Connect' }) : mapped;
}

function defaultActionFor(operation: string): string {
  return `lambda:${operation === 'Invoke' ? 'InvokeFunction' : operation}`;
}
