/**
 * Who is calling the local endpoint and whether they may. By default any signed request
 * is accepted (like other local emulators: dummy credentials work). Known principals can
 * be configured to test real-world failures for real: an expired session token, a policy
 * that lacks an action (AccessDenied names it), and SigV4 signature verification when the
 * principal's secret key is given, so signing by the SDK is checked, not assumed.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ACCOUNT_ID, errors, ServiceError } from './service-error';

export interface Principal {
  /** When given, requests must carry a valid SigV4 signature made with it. */
  secretAccessKey?: string;
  /** Every request answers ExpiredTokenException, like an expired session. */
  expired?: boolean;
  /** Allowed actions (`lambda:InvokeFunction`...); absent means all. */
  allow?: string[];
  /** Shown in AccessDenied messages; default arn:aws:iam::123456789012:user/<key id>. */
  arn?: string;
}

export interface AccessPolicy {
  principals?: Record<string, Principal>;
}

export interface Caller {
  accessKeyId: string;
  region: string;
}

const AUTH_HEADER = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Checks the caller of one request. `rawPath` is the path exactly as sent (still
 * URL-encoded); `body` is needed for signature verification.
 */
export function authorize(
  policy: AccessPolicy,
  request: { method: string; rawPath: string; rawQuery: string; headers: IncomingHttpHeaders; body: Buffer },
  action: string,
  resource: string,
): Caller {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? AUTH_HEADER.exec(header) : null;
  if (!match) throw errors.missingAuthentication();
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  const principal = policy.principals?.[accessKeyId];
  if (principal?.secretAccessKey !== undefined) {
    const expected = signatureFor(principal.secretAccessKey, request, { date, region, service, signedHeaders });
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw new ServiceError(
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
  }
  if (principal?.expired) throw errors.expiredToken();
  if (principal?.allow && !principal.allow.includes(action) && !principal.allow.includes('lambda:*')) {
    throw errors.accessDenied(principal.arn ?? `arn:aws:iam::${ACCOUNT_ID}:user/${accessKeyId}`, action, resource);
  }
  return { accessKeyId, region };
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 3986 encoding as SigV4 wants it. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function signatureFor(
  secret: string,
  request: { method: string; rawPath: string; rawQuery: string; headers: IncomingHttpHeaders; body: Buffer },
  scope: { date: string; region: string; service: string; signedHeaders: string },
): string {
  // Non-S3 services sign the path encoded twice: the path as sent, each segment encoded again.
  const canonicalPath = request.rawPath.split('/').map((segment) => encode(segment)).join('/');
  const query = new URLSearchParams(request.rawQuery);
  const canonicalQuery = [...query.entries()]
    .map(([key, value]) => [encode(key), encode(value)])
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const names = scope.signedHeaders.split(';');
  const canonicalHeaders = names
    .map((name) => {
      const value = request.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payloadHash = typeof request.headers['x-amz-content-sha256'] === 'string' ? request.headers['x-amz-content-sha256'] : sha256(request.body);
  const canonicalRequest = [request.method, canonicalPath, canonicalQuery, canonicalHeaders, scope.signedHeaders, payloadHash].join('\n');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scope.date), scope.region), scope.service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
