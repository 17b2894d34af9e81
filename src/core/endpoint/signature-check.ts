/**
 * The SigV4 signature a request should carry, computed with @smithy/signature-v4 (the AWS SDK's
 * own signer) the way its `sign()` computes it: the library prepares the request, hashes the
 * payload, builds the canonical request and the string to sign, and derives the signing key.
 *
 * What differs from calling `sign()` for every request is only what repeats: the signing key
 * depends on the day, region and service alone, so it is derived once per day and kept (the
 * library's own cache first computes an HMAC of the credentials on every call to find it), and
 * no signed copy of the request is built around the signature. On the endpoint's hot path
 * `sign()` cost as much CPU as everything else an Invoke does on the host (BENCHMARKS.md (e)).
 * test/unit/endpoint-signature.test.ts holds this to `sign()`'s output on varied requests.
 */
import { createHmac } from 'node:crypto';
import {
  ALGORITHM_IDENTIFIER,
  AMZ_DATE_HEADER,
  createScope,
  GENERATED_HEADERS,
  getCanonicalHeaders,
  getPayloadHash,
  getSigningKey,
  hasHeader,
  SHA256_HEADER,
  SignatureV4,
} from '@smithy/signature-v4';

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];
type HashConstructor = NonNullable<SignerInit['sha256']> & Parameters<typeof getSigningKey>[0];
type Credentials = { accessKeyId: string; secretAccessKey: string };
type LibraryRequest = Parameters<typeof getPayloadHash>[0] & Parameters<typeof getCanonicalHeaders>[0];

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
  private readonly signingKeys = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly credentials: Credentials,
    private readonly hashConstructor: HashConstructor,
  ) {
    super({ credentials, region: 'us-east-1', service: 'lambda', sha256: hashConstructor });
  }

  /** The hex signature `sign()` would put in this request's Authorization header. */
  async signature(request: RequestToCheck, scope: SigningScope): Promise<string> {
    const { longDate, shortDate } = this.formatDate(scope.signingDate);
    const prepared = this.prepared(request, longDate);
    const payloadHash = await getPayloadHash(prepared, this.hashConstructor);
    const canonicalHeaders = getCanonicalHeaders(prepared, undefined, new Set(scope.signedHeaders));
    const credentialScope = createScope(shortDate, scope.region, scope.service);
    const stringToSign = await this.createStringToSign(longDate, credentialScope, this.createCanonicalRequest(prepared, canonicalHeaders, payloadHash), ALGORITHM_IDENTIFIER);
    const key = await this.signingKey(shortDate, scope.region, scope.service);
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }

  /**
   * False when the request signs an x-amz-content-sha256 that is not its body's SHA-256. The
   * library takes that header as the payload's hash without reading the body, so a signature
   * is only proof of the body when the claim is true.
   */
  async payloadHashHolds(request: RequestToCheck): Promise<boolean> {
    // Most clients sign no such header: then nothing is prepared or hashed a second time.
    if (!hasHeader(SHA256_HEADER, request.headers)) return true;
    const prepared = this.prepared(request, '');
    const claimed = await getPayloadHash(prepared, this.hashConstructor);
    return claimed === (await getPayloadHash({ ...prepared, headers: {} }, this.hashConstructor));
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

  private signingKey(shortDate: string, region: string, service: string): Promise<Uint8Array> {
    const name = `${shortDate}/${region}/${service}`;
    let key = this.signingKeys.get(name);
    if (!key) {
      if (this.signingKeys.size >= KEPT_SIGNING_KEYS) this.signingKeys.clear();
      key = getSigningKey(this.hashConstructor, this.credentials, shortDate, region, service);
      // A failed derivation is not kept: the next request derives again.
      key.catch(() => this.signingKeys.delete(name));
      this.signingKeys.set(name, key);
    }
    return key;
  }
}
