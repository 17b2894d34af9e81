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

/** How the AWS SDK signs a request (its own hash over node:crypto; none of the endpoint's code). */
async function signWithSdk(request: Sent, options: { region?: string; date?: Date; secret?: string } = {}): Promise<Record<string, string>> {
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
  const signer = new SignatureV4({ credentials: { ...KEY, secretAccessKey: options.secret ?? KEY.secretAccessKey }, region: options.region ?? 'us-east-1', service: 'lambda', sha256: SdkHash });
  const signed = await signer.sign({ ...request, protocol: 'http:', hostname: '127.0.0.1' }, { signingDate: options.date ?? new Date() });
  return signed.headers;
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
      assert.equal(await check(auth, request, headers), 'verified');
    });
  }

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
