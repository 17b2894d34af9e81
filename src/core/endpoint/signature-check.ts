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
 * signature-check tests hold this to `sign()`'s output on varied requests.
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
  /** The headers the caller signed, names in lower case. */
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
    // applyChecksum off: clients of Lambda do not sign x-amz-content-sha256, so neither may we.
    super({ credentials, region: 'us-east-1', service: 'lambda', sha256: hashConstructor, applyChecksum: false });
  }

  /**
   * The hex signature `sign()` would put in this request's Authorization header; null when the
   * request signs an x-amz-content-sha256 that is not its body's.
   */
  async signature(request: RequestToCheck, scope: SigningScope): Promise<string | null> {
    const { longDate, shortDate } = this.formatDate(scope.signingDate);
    // As sign() prepares it: the generated headers dropped, x-amz-date set from the signing date.
    const headers: Record<string, string> = {};
    for (const name of Object.keys(request.headers)) if (!GENERATED_HEADERS.includes(name)) headers[name] = request.headers[name];
    headers[AMZ_DATE_HEADER] = longDate;
    const prepared = { method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: request.path, query: request.query, headers, body: request.body } as LibraryRequest;
    const payloadHash = await getPayloadHash(prepared, this.hashConstructor);
    // The library takes a signed x-amz-content-sha256 as the payload's hash without reading the
    // body; a signature is only proof of the body when that claim is true.
    if (SHA256_HEADER in headers && payloadHash !== (await getPayloadHash({ headers: {}, body: request.body } as LibraryRequest, this.hashConstructor))) return null;
    const canonicalHeaders = getCanonicalHeaders(prepared, undefined, new Set(scope.signedHeaders));
    const credentialScope = createScope(shortDate, scope.region, scope.service);
    const stringToSign = await this.createStringToSign(longDate, credentialScope, this.createCanonicalRequest(prepared, canonicalHeaders, payloadHash), ALGORITHM_IDENTIFIER);
    const key = await this.signingKey(shortDate, scope.region, scope.service);
    return createHmac('sha256', key).update(stringToSign).digest('hex');
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
