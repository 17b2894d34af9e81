/**
 * Who is calling the local endpoint and what they may do.
 *
 * The endpoint runs code as the user who started it, so by default a caller must prove it is
 * that user: each run has its own key pair (see run-key.ts), and a request must carry a valid
 * SigV4 signature made with it, or with the secret of a principal the embedding code
 * configured. Such a caller is *verified* and may do anything the API offers, configuration
 * changes included.
 *
 * `allowAnyCredentials` restores the habit of other local emulators: any signature from any key
 * is let in, *unverified*. Unverified callers may invoke and read, but every change that can
 * run code is refused to them (configuration-routes.ts, layer-routes.ts). Principals configured
 * without a secret (an expired session, a read-only policy, for tests) are known by key id
 * alone, so they are unverified too.
 *
 * Signatures are checked with @smithy/signature-v4 (the AWS SDK's own signer): the request's
 * canonical form and string to sign are built by the library, over exactly the headers the
 * caller signed, signed with the principal's key for that day (the library's derivation), and
 * the two signatures are compared in constant time (signature-check.ts).
 */
import { createHash, createHmac, hash, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureCheck } from './signature-check';
import { ACCOUNT_ID, errors, ServiceError } from './service-error';

export interface Principal {
  /** When given, requests must carry a valid SigV4 signature made with it (the caller is then verified). */
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
  /** Let in any signature from unknown keys, unverified (they may not make changes that run code). */
  allowAnyCredentials?: boolean;
}

export interface Caller {
  accessKeyId: string;
  /** The region the caller signed for. */
  region: string;
  /** True when the signature was checked against a secret the endpoint knows. */
  verified: boolean;
  /** For AccessDenied messages. */
  arn: string;
}

/** What the Authorization header claims, checked before the body is read. */
export interface Admission {
  caller: Caller;
  principal: Principal | undefined;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface SignedRequest {
  method: string;
  /** The path exactly as sent (still URL-encoded). */
  rawPath: string;
  /** The query string as sent, without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const AUTH_HEADER = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
/** How far a request's x-amz-date may be from our clock, as in AWS. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * The `sha256` the signer asks for: a hash, or an HMAC when given a secret, over node:crypto.
 * The library updates a plain hash once (the payload, the canonical request): that case takes
 * node's one-shot hash, which builds no hash object. The chunk is kept uncopied until digest():
 * the library hashes strings it made and the request's body, neither of which changes meanwhile.
 */
export class NodeSha256 {
  private readonly secret: string | Buffer | undefined;
  private pending: string | Buffer | null = null;
  private running: Hash | Hmac | null = null;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined ? undefined : bytes(secret);
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    const chunk = bytes(data);
    if (this.running) this.running.update(chunk);
    else if (this.pending === null && this.secret === undefined) this.pending = chunk;
    else {
      this.running = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
      if (this.pending !== null) this.running.update(this.pending);
      this.running.update(chunk);
      this.pending = null;
    }
  }

  async digest(): Promise<Uint8Array> {
    if (this.running) return this.running.digest();
    if (this.secret !== undefined) return createHmac('sha256', this.secret).digest();
    // crypto.hash came with Node 20.12; VS Code 1.90's extension host runs Node 20.9.
    const data = this.pending ?? '';
    return typeof hash === 'function' ? hash('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

export class Authenticator {
  private readonly checks = new Map<string, SignatureCheck>();
  /** The last x-amz-date read and its time: clients send the same one for a second's worth of requests. */
  private lastAmzDate: { text: string; time: number } | null = null;

  constructor(private readonly policy: AccessPolicy) {}

  /**
   * Before the body is read: is the header well formed, is the key one we accept, may it call
   * this action. Unsigned and unknown callers are turned away here without reading their body.
   */
  admit(headers: IncomingHttpHeaders, action: string, resourceFor: (region: string) => string): Admission {
    const header = headers.authorization;
    const match = typeof header === 'string' ? AUTH_HEADER.exec(header) : null;
    if (!match) throw errors.missingAuthentication();
    const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
    const principal = this.policy.principals?.[accessKeyId];
    if (!principal && !this.policy.allowAnyCredentials) throw errors.unrecognizedClient();
    if (principal?.expired) throw errors.expiredToken();
    const arn = principal?.arn ?? `arn:aws:iam::${ACCOUNT_ID}:user/${accessKeyId}`;
    if (principal?.allow && !principal.allow.includes(action) && !principal.allow.includes('lambda:*')) {
      throw errors.accessDenied(arn, action, resourceFor(region));
    }
    return { caller: { accessKeyId, region, verified: false, arn }, principal, date, service, signedHeaders: signedHeaders.split(';'), signature };
  }

  /** After the body: checks the signature when the principal's secret is known; the caller is then verified. */
  async verify(admission: Admission, request: SignedRequest): Promise<Caller> {
    const secret = admission.principal?.secretAccessKey;
    if (secret === undefined) return admission.caller;
    const amzDate = header(request.headers, 'x-amz-date') ?? '';
    const signingTime = this.amzDateTime(amzDate);
    if (signingTime === null || !amzDate.startsWith(admission.date)) throw invalidSignature();
    const skew = signingTime - Date.now();
    if (Math.abs(skew) > CLOCK_SKEW_MS) {
      throw new ServiceError(403, 'InvalidSignatureException', `Signature ${skew < 0 ? 'expired' : 'not yet current'}: ${amzDate} is more than 15 minutes from the endpoint's clock.`);
    }
    const signed: Record<string, string> = {};
    for (const name of admission.signedHeaders) {
      const value = request.headers[name];
      if (value !== undefined) signed[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const check = this.checkFor(admission.caller.accessKeyId, secret);
    const signedRequest = { method: request.method, path: request.rawPath, query: parseQuery(request.rawQuery), headers: signed, body: request.body };
    const computed = await check.signature(signedRequest, { signingDate: new Date(signingTime), region: admission.caller.region, service: admission.service, signedHeaders: admission.signedHeaders });
    if (computed.length !== admission.signature.length || !timingSafeEqual(Buffer.from(computed), Buffer.from(admission.signature))) throw invalidSignature();
    if (!check.payloadHashHolds(signedRequest)) {
      throw new ServiceError(403, 'InvalidSignatureException', 'The x-amz-content-sha256 header the request signed is not the SHA-256 of its body.');
    }
    return { ...admission.caller, verified: true };
  }

  private amzDateTime(text: string): number | null {
    if (this.lastAmzDate?.text === text) return this.lastAmzDate.time;
    const time = parseAmzDate(text);
    if (time !== null) this.lastAmzDate = { text, time };
    return time;
  }

  private checkFor(accessKeyId: string, secretAccessKey: string): SignatureCheck {
    let check = this.checks.get(accessKeyId);
    if (!check) {
      check = new SignatureCheck({ accessKeyId, secretAccessKey }, NodeSha256);
      this.checks.set(accessKeyId, check);
    }
    return check;
  }
}

function invalidSignature(): ServiceError {
  return new ServiceError(
    403,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `20261126T150000Z` as milliseconds since the epoch; null when malformed. */
function parseAmzDate(text: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
}

/** The query as the signer wants it: decoded names and values (it encodes them itself). */
function parseQuery(rawQuery: string): Record<string, string | string[]> {
  // No prototype: a parameter named __proto__ stays a parameter.
  const query = Object.create(null) as Record<string, string | string[]>;
  if (rawQuery === '') return query;
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
