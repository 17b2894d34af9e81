/**
 * The SigV4 signature a request should carry, computed with @smithy/signature-v4 (the AWS SDK's
 * own signer) the way its `sign()` computes it: the library prepares the request, hashes the
 * payload, builds the canonical request and the string to sign, and derives the signing key.
 *
 * What differs from calling `sign()` for every request is only what repeats or waits: the
 * signing key depends on the day, region and service alone, so it is derived once per day and
 * kept (the library's own cache first computes an HMAC of the credentials on every call to find
 * it); the dates are formatted once per signing second; no signed copy of the request is built
 * around the signature; and the two SHA-256 hashes (payload, canonical request) are node's
 * one-shot hash, computed as the library's getPayloadHash and createStringToSign compute them but
 * without a promise each. On the endpoint's hot path `sign()` cost as much CPU as everything else
 * an Invoke does on the host (BENCHMARKS.md (e)).
 * test/unit/endpoint-signature.test.ts holds this to `sign()`'s output on varied requests.
 */
import { createHash, createHmac, hash } from 'node:crypto';
import {
  ALGORITHM_IDENTIFIER,
  AMZ_DATE_HEADER,
  createScope,
  GENERATED_HEADERS,
  getCanonicalHeaders,
  getSigningKey,
  hasHeader,
  SHA256_HEADER,
  SignatureV4,
} from '@smithy/signature-v4';

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];
type HashConstructor = NonNullable<SignerInit['sha256']> & Parameters<typeof getSigningKey>[0];
type Credentials = { accessKeyId: string; secretAccessKey: string };
type LibraryRequest = Parameters<typeof getCanonicalHeaders>[0] & { body: Buffer };

export interface RequestToCheck {
  method: string;
  /** The path as sent (still URL-encoded). */
  path: string;
  query: Record<string, string | string[]>;
  /** The headers the caller signed. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface SigningScope {
  signingDate: Date;
  region: string;
  service: string;
  /** The SignedHeaders list of the Authorization header. */
  signedHeaders: readonly string[];
}

/** Signing keys kept per principal: one per day, region and service; a day's worth is plenty. */
const KEPT_SIGNING_KEYS = 16;

export class SignatureCheck extends SignatureV4 {
  /** Per day, region and service: the key, or its derivation while under way. */
  private readonly signingKeys = new Map<string, Uint8Array | Promise<Uint8Array>>();
  private formatted: { time: number; longDate: string; shortDate: string } | null = null;

  constructor(
    private readonly credentials: Credentials,
    private readonly hashConstructor: HashConstructor,
  ) {
    super({ credentials, region: 'us-east-1', service: 'lambda', sha256: hashConstructor });
  }

  /** The hex signature `sign()` would put in this request's Authorization header. */
  async signature(request: RequestToCheck, scope: SigningScope): Promise<string> {
    const { longDate, shortDate } = this.dates(scope.signingDate);
    const keyName = `${shortDate}/${scope.region}/${scope.service}`;
    // Once per day, region and service the key is derived (the library's getSigningKey); after that no wait.
    const kept = this.signingKeys.get(keyName);
    const key = kept instanceof Uint8Array ? kept : await (kept ?? this.deriveSigningKey(keyName, shortDate, scope.region, scope.service));
    const prepared = this.prepared(request, longDate);
    const canonicalHeaders = getCanonicalHeaders(prepared, undefined, new Set(scope.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(prepared, canonicalHeaders, payloadHash(prepared));
    // createStringToSign's string, its hash computed here.
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${createScope(shortDate, scope.region, scope.service)}\n${sha256Hex(canonicalRequest)}`;
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }

  /**
   * False when the request signs an x-amz-content-sha256 that is not its body's SHA-256. The
   * library takes that header as the payload's hash without reading the body, so a signature
   * is only proof of the body when the claim is true.
   */
  payloadHashHolds(request: RequestToCheck): boolean {
    // Most clients sign no such header: then nothing is prepared or hashed a second time.
    if (!hasHeader(SHA256_HEADER, request.headers)) return true;
    // prepared() would drop only generated headers, and x-amz-content-sha256 is none of them.
    return payloadHash(request) === sha256Hex(request.body);
  }

  /** formatDate's strings for the signing date, kept while requests come in the same second. */
  private dates(signingDate: Date): { longDate: string; shortDate: string } {
    const time = signingDate.getTime();
    if (this.formatted?.time !== time) this.formatted = { time, ...this.formatDate(signingDate) };
    return this.formatted;
  }

  /** The request as sign() prepares it: header names in lower case, the generated ones dropped, x-amz-date from the signing date. */
  private prepared(request: RequestToCheck, longDate: string): LibraryRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (!GENERATED_HEADERS.includes(lower)) headers[lower] = value;
    }
    headers[AMZ_DATE_HEADER] = longDate;
    return { method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: request.path, query: request.query, headers, body: request.body };
  }

  private deriveSigningKey(name: string, shortDate: string, region: string, service: string): Promise<Uint8Array> {
    if (this.signingKeys.size >= KEPT_SIGNING_KEYS) this.signingKeys.clear();
    const derivation = getSigningKey(this.hashConstructor, this.credentials, shortDate, region, service);
    this.signingKeys.set(name, derivation);
    // Kept as bytes once derived (unless cleared meanwhile); a failed derivation is not kept:
    // the next request derives again.
    derivation.then(
      (key) => {
        if (this.signingKeys.get(name) === derivation) this.signingKeys.set(name, key);
      },
      () => {
        if (this.signingKeys.get(name) === derivation) this.signingKeys.delete(name);
      },
    );
    return derivation;
  }
}

/**
 * The payload hash as the library's getPayloadHash finds it: a signed x-amz-content-sha256 taken
 * as it is, else the SHA-256 of the body (here always bytes), in hex.
 */
function payloadHash({ headers, body }: { headers: Record<string, string>; body: Buffer }): string {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === SHA256_HEADER) return headers[name];
  return sha256Hex(body);
}

/** crypto.hash came with Node 20.12; VS Code 1.90's extension host runs Node 20.9. */
function sha256Hex(data: string | Buffer): string {
  return typeof hash === 'function' ? hash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}
