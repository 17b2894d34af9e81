/**
 * The endpoint's signature check (endpoint/signature-check.ts, through auth.ts) against the AWS
 * SDK's signer: every request the library's `sign()` signs is admitted and verified, and a change
 * to any signed part (body, path, query, header, date, region, secret) is refused. The check
 * builds its signature from the library's pieces with a signing key kept per day; these cases
 * hold it to `sign()`'s own output.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Authenticator, NodeSha256 } from '../../src/core/endpoint/auth';
import { SignatureCheck } from '../../src/core/endpoint/signature-check';
import { ServiceError } from '../../src/core/endpoint/service-error';

const KEY = { accessKeyId: 'AKIDWARMSTATETEST', secretAccessKey: 'secret/with+characters=' };

interface Sent {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
}

function binary(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** The sha256 the SDK's signer asks for, over node:crypto (none of the endpoint's code). */
class SdkHash {
  private readonly inner;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.inner = secret === undefined ? createHash('sha256') : createHmac('sha256', binary(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.inner.update(binary(data));
  }
  async digest() {
    return this.inner.digest();
  }
}

/** How the AWS SDK signs a request (its own hash over node:crypto; none of the endpoint's code). */
async function signWithSdk(request: Sent, options: { region?: string; date?: Date; secret?: string; signPayloadHash?: boolean } = {}): Promise<Record<string, string>> {
  // applyChecksum: the SDK for JavaScript signs x-amz-content-sha256 (the default); other clients (the AWS CLI) hash the body into the signature only.
  const signer = new SignatureV4({ credentials: { ...KEY, secretAccessKey: options.secret ?? KEY.secretAccessKey }, region: options.region ?? 'us-east-1', service: 'lambda', sha256: SdkHash, applyChecksum: options.signPayloadHash ?? true });
  const signed = await signer.sign({ ...request, protocol: 'http:', hostname: '127.0.0.1' }, { signingDate: options.date ?? new Date() });
  return signed.headers;
}

/** The SDK's signature for a request on a given day, region and service. */
async function signSdkFor(request: Sent, date: Date, region: string, service: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: KEY, region, service, sha256: SdkHash });
  return (await signer.sign({ ...request, protocol: 'http:', hostname: '127.0.0.1' }, { signingDate: date })).headers;
}

/** What the endpoint does with a request: admit on the headers, then verify with the body. */
async function check(auth: Authenticator, request: Sent, headers: IncomingHttpHeaders): Promise<'verified' | string> {
  const rawQuery = Object.entries(request.query)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`))
    .join('&');
  try {
    const admission = auth.admit(headers, 'lambda:InvokeFunction', () => 'arn');
    const caller = await auth.verify(admission, { method: request.method, rawPath: request.path, rawQuery, headers, body: Buffer.from(request.body) });
    return caller.verified ? 'verified' : 'unverified';
  } catch (error) {
    if (error instanceof ServiceError) return error.errorType;
    throw error;
  }
}

function lowerCased(headers: Record<string, string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

const invoke = (body: string, extra: Record<string, string> = {}): Sent => ({
  method: 'POST',
  path: '/2015-03-31/functions/counter/invocations',
  query: {},
  headers: { host: '127.0.0.1:3001', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra },
  body,
});

const CASES: [string, Sent][] = [
  ['a small Invoke', invoke('{"n":1}')],
  ['an empty body', invoke('')],
  ['a UTF-8 body', invoke('{"name":"Zoë ✓ 漢字"}')],
  ['a body of 300 KB', invoke(JSON.stringify({ text: 'x'.repeat(300 * 1024) }))],
  ['extra signed headers, spaces folded by the canonical form', invoke('{}', { 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': '  Tail  ', 'x-amz-client-context': 'e30=' })],
  ['a function given as an ARN (encoded colons)', { ...invoke('{}'), path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Acounter/invocations' }],
  ['a qualifier and repeated query parameters', { ...invoke('{}'), query: { Qualifier: '$LATEST', tag: ['b', 'a'], empty: '' } }],
  ['a GET with no body', { method: 'GET', path: '/2015-03-31/functions/counter/configuration', query: {}, headers: { host: 'localhost:3001' }, body: '' }],
];

describe('endpoint signature check against the AWS SDK signer', () => {
  const auth = new Authenticator({ principals: { [KEY.accessKeyId]: { secretAccessKey: KEY.secretAccessKey } } });

  for (const [label, request] of CASES) {
    it(`verifies what the SDK signs: ${label}`, async () => {
      const headers = lowerCased(await signWithSdk(request));
      assert.ok(headers['x-amz-content-sha256'], 'the SDK signed the payload hash');
      assert.equal(await check(auth, request, headers), 'verified');
    });
    it(`verifies what a client that does not sign the payload hash signs: ${label}`, async () => {
      const headers = lowerCased(await signWithSdk(request, { signPayloadHash: false }));
      assert.equal(headers['x-amz-content-sha256'], undefined);
      assert.equal(await check(auth, request, headers), 'verified');
    });
  }

  it('computes what sign() computes on fixed dates across days, regions and services (more pairs than the keys it keeps)', async () => {
    const check = new SignatureCheck(KEY, NodeSha256);
    const request = invoke('{"n":5}');
    const days = ['2026-01-31T23:59:59Z', '2026-02-01T00:00:00Z', '2026-12-03T10:00:00Z'].map((text) => new Date(text));
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1', 'us-west-2', 'eu-central-1', 'ca-central-1'];
    let pairs = 0;
    for (const round of [1, 2]) {
      for (const date of days) {
        for (const region of regions) {
          for (const service of ['lambda', 'execute-api']) {
            const headers = lowerCased(await signSdkFor(request, date, region, service));
            const claimed = /Signature=([0-9a-f]{64})$/.exec(String(headers.authorization))?.[1];
            const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))?.[1].split(';') ?? [];
            const computed = await check.signature(
              { method: request.method, path: request.path, query: request.query, headers: Object.fromEntries(signedHeaders.map((name) => [name, String(headers[name])])), body: Buffer.from(request.body) },
              { signingDate: date, region, service, signedHeaders },
            );
            assert.equal(computed, claimed, `round ${round}, ${date.toISOString()} ${region} ${service}`);
            pairs += 1;
          }
        }
      }
    }
    assert.ok(pairs > 2 * 16, 'more day/region/service keys than the check keeps at once');
  });

  it('verifies requests signed for other regions and days alike (one signing key each)', async () => {
    const request = invoke('{"n":2}');
    const now = Date.now();
    for (const [region, date] of [['eu-west-1', new Date(now)], ['us-east-1', new Date(now - 10 * 60 * 1000)], ['ap-south-1', new Date(now + 5 * 60 * 1000)], ['eu-west-1', new Date(now)]] as const) {
      assert.equal(await check(auth, request, lowerCased(await signWithSdk(request, { region, date }))), 'verified', `${region} ${date.toISOString()}`);
    }
  });

  it('refuses a request whose signed parts changed after signing', async () => {
    const request = invoke('{"n":3}', { 'x-amz-log-type': 'Tail' });
    const headers = lowerCased(await signWithSdk(request));
    const changed: [string, Sent, IncomingHttpHeaders][] = [
      ['body', { ...request, body: '{"n":4}' }, headers],
      ['path', { ...request, path: '/2015-03-31/functions/other/invocations' }, headers],
      ['query', { ...request, query: { Qualifier: '1' } }, headers],
      ['signed header', request, { ...headers, 'x-amz-log-type': 'None' }],
      ['method', { ...request, method: 'PUT' }, headers],
    ];
    for (const [part, sent, sentHeaders] of changed) assert.equal(await check(auth, sent, sentHeaders), 'InvalidSignatureException', part);
  });

  it('refuses a correctly signed x-amz-content-sha256 that is not the hash of the body sent, saying so', async () => {
    const request = invoke('{"n":6}');
    const forged = { ...request, headers: { ...request.headers, 'x-amz-content-sha256': createHash('sha256').update('{"n":7}').digest('hex') } };
    const headers = lowerCased(await signWithSdk(forged));
    const admission = auth.admit(headers, 'lambda:InvokeFunction', () => 'arn');
    await assert.rejects(
      auth.verify(admission, { method: 'POST', rawPath: request.path, rawQuery: '', headers, body: Buffer.from(request.body) }),
      (error: unknown) => error instanceof ServiceError && /not the SHA-256 of its body/.test(error.message),
    );
  });

  it('refuses a wrong secret, a date outside the 15-minute window and a region the signature was not made for', async () => {
    const request = invoke('{}');
    assert.equal(await check(auth, request, lowerCased(await signWithSdk(request, { secret: 'not-the-secret' }))), 'InvalidSignatureException');
    assert.equal(await check(auth, request, lowerCased(await signWithSdk(request, { date: new Date(Date.now() - 20 * 60 * 1000) }))), 'InvalidSignatureException');
    const headers = lowerCased(await signWithSdk(request, { region: 'us-west-2' }));
    const claimed = { ...headers, authorization: String(headers.authorization).replace('/us-west-2/', '/eu-west-1/') };
    assert.equal(await check(auth, request, claimed), 'InvalidSignatureException');
  });

  it('hashes like node:crypto whether fed once, in parts or keyed', async () => {
    const whole = new NodeSha256();
    whole.update('hello world');
    const parts = new NodeSha256();
    parts.update('hello ');
    parts.update(Buffer.from('world'));
    const empty = new NodeSha256();
    const keyed = new NodeSha256('key');
    keyed.update('hello world');
    const hex = async (h: NodeSha256) => Buffer.from(await h.digest()).toString('hex');
    const expected = createHash('sha256').update('hello world').digest('hex');
    assert.equal(await hex(whole), expected);
    assert.equal(await hex(parts), expected);
    assert.equal(await hex(empty), createHash('sha256').digest('hex'));
    assert.equal(await hex(keyed), createHmac('sha256', 'key').update('hello world').digest('hex'));
  });
});
