/**
 * Errors the local endpoint answers with, shaped like the Lambda service's: the status
 * code, an `X-Amzn-ErrorType` header and a JSON body `{ Type, message }`, which is what
 * the AWS SDKs and the AWS CLI read to raise e.g. `ResourceNotFoundException`.
 */
import { LOCAL_ACCOUNT_ID } from '../lambda/environment';

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    /** Extra body fields the service sends for this error (e.g. `Reason` on throttling). */
    readonly extra: Record<string, string> = {},
    /** `User` for caller faults, `Service` for ours, as Lambda's bodies say. */
    readonly faultType: 'User' | 'Service' = status >= 500 ? 'Service' : 'User',
  ) {
    super(message);
    this.name = errorType;
  }

  body(): string {
    return JSON.stringify({ Type: this.faultType, message: this.message, ...this.extra });
  }
}

export const ACCOUNT_ID = LOCAL_ACCOUNT_ID;

export function functionArn(region: string, name: string, qualifier?: string, account: string = ACCOUNT_ID): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

export function layerArn(region: string, name: string, version?: number): string {
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:layer:${name}${version === undefined ? '' : `:${version}`}`;
}

/** Invoke's ClientContext: "up to 3,583 bytes of base64-encoded data" (the API reference). */
export const CLIENT_CONTEXT_LIMIT = 3583;

export const errors = {
  /** A FunctionName in none of Lambda's forms (a trailing colon, an empty region): Lambda's 400, its pattern for Invoke's FunctionName. */
  invalidFunctionName: (name: string) =>
    new ServiceError(
      400,
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    ),
  /** `arn` as functionArnOf builds it from what the request named (its account and region kept). */
  functionNotFound: (arn: string) => new ServiceError(404, 'ResourceNotFoundException', `Function not found: ${arn}`),
  /** Lambda's words for an ARN of another region than the endpoint's (as SDK users' logs quote them). */
  otherRegion: (arnRegion: string, region: string) =>
    new ServiceError(404, 'ResourceNotFoundException', `Functions from '${arnRegion}' are not reachable in this region ('${region}')`),
  layerNotFound: () => new ServiceError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.'),
  invalidJson: (detail: string) =>
    new ServiceError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${detail}`),
  invalidParameter: (message: string) => new ServiceError(400, 'InvalidParameterValueException', message),
  /** The service's words (as SDK issues and tests quote them); also for one over CLIENT_CONTEXT_LIMIT. */
  invalidClientContext: () => new ServiceError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.'),
  /** Invoke's own error for an oversized event; other operations answer RequestEntityTooLargeException. */
  requestTooLarge: (limit: number, operation = 'InvokeFunction') =>
    new ServiceError(
      413,
      operation === 'InvokeFunction' ? 'RequestTooLargeException' : 'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the ${operation} operation`,
    ),
  throttled: () =>
    new ServiceError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }),
  preconditionFailed: () =>
    new ServiceError(412, 'PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'),
  missingAuthentication: () => new ServiceError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  unrecognizedClient: () =>
    new ServiceError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid. This local endpoint accepts only the key pair of its run, printed when it started and written to a file only its user can read.',
    ),
  /** A change that can run code, asked by a caller whose signature was not checked (--allow-any-credentials). */
  codeChangeRefused: (principalArn: string, action: string, resource: string, what: string) =>
    new ServiceError(
      403,
      'AccessDeniedException',
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}: this change can run code (${what}), and the endpoint accepts any credentials only for calls that cannot; sign with the key pair of its run to make it`,
    ),
  expiredToken: () => new ServiceError(403, 'ExpiredTokenException', 'The security token included in the request is expired'),
  accessDenied: (principalArn: string, action: string, resource: string) =>
    new ServiceError(
      403,
      'AccessDeniedException',
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
    ),
  unknownOperation: (method: string, path: string) =>
    new ServiceError(404, 'UnknownOperationException', `The local endpoint does not serve ${method} ${path}`),
  internal: (message: string) => new ServiceError(500, 'ServiceException', message),
};
