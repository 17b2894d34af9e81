import assert from 'node:assert/strict';
import type { CapturedVariable } from '../../src/core/model/snapshot';
import {
  isSecretName,
  MASK,
  maskCapturedVariables,
  maskEnvironment,
  maskJson,
  maskSecrets,
  SecretForms,
  secretValuesOf,
} from '../../src/core/lambda/mask';

describe('remote mask: no secrets leak', () => {
  it('recognises secret-looking names', () => {
    for (const name of ['DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'apiKey', 'STRIPE_KEY', 'privateKey', 'Authorization', 'GITHUB_AUTH'])
      assert.ok(isSecretName(name), name);
    for (const name of ['TABLE_NAME', 'AWS_REGION', 'AUTHOR', 'LOG_LEVEL', 'arrayB']) assert.ok(!isSecretName(name), name);
  });

  it('masks environment maps by name', () => {
    assert.deepEqual(maskEnvironment({ TABLE_NAME: 'orders', DB_PASSWORD: 'hunter22', API_KEY: '' }), {
      TABLE_NAME: 'orders',
      DB_PASSWORD: MASK,
      API_KEY: '',
    });
    assert.deepEqual(secretValuesOf({ DB_PASSWORD: 'hunter22', FLAG_TOKEN: '1', REGION: 'eu-west-1' }), ['hunter22']);
  });

  it('masks access key ids, signatures, session tokens and NAME=value pairs in text', () => {
    const text = [
      'key AKIAIOSFODNN7EXAMPLE used',
      'Authorization: AWS4-HMAC-SHA256 Credential=ASIAXXXXXXXXXXXXXXXX/20261126/us-east-1/lambda/aws4_request, Signature=' + 'ab'.repeat(32),
      'X-Amz-Security-Token: IQoJb3JpZ2luX2VjE/long+token==',
      'DB_PASSWORD=hunter22 TABLE=orders',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ].join('\n');
    const masked = maskSecrets(text);
    for (const leaked of ['IOSFODNN7EXAMPLE', 'ab'.repeat(32), 'IQoJb3JpZ2luX2VjE', 'hunter22', 'wJalrXUtnFEMI', 'XXXXXXXXXXXXXXXX'])
      assert.ok(!masked.includes(leaked), `leaked ${leaked}: ${masked}`);
    assert.ok(masked.includes('TABLE=orders'));
    assert.ok(masked.includes(`AKIA${MASK}`));
  });

  it('masks JSON text and known literal secrets wherever they appear', () => {
    const masked = maskSecrets('{"password": "p4ssw0rd!", "user":"ann"} then the raw value s3cr3t-value-xyz in a log', new SecretForms(['s3cr3t-value-xyz']));
    assert.equal(masked, `{"password": "${MASK}", "user":"ann"} then the raw value ${MASK} in a log`);
  });

  it('masks JSON values deeply by key name', () => {
    assert.deepEqual(maskJson({ headers: { Authorization: 'Bearer abc', accept: 'json' }, list: [{ clientSecret: 'x' }], n: 1 }), {
      headers: { Authorization: MASK, accept: 'json' },
      list: [{ clientSecret: MASK }],
      n: 1,
    });
  });

  it('masks captured variables: secret-named ones and secret-named properties inside others', () => {
    const variables: CapturedVariable[] = [
      { name: 'API_TOKEN', kind: 'const', value: { type: 'string', value: 'tok-123456', length: 10, truncated: false }, size: { total: 10, exact: true } },
      {
        name: 'config',
        kind: 'const',
        value: {
          type: 'object',
          className: 'Object',
          truncated: false,
          properties: [
            { name: 'password', value: { type: 'string', value: 'hunter22', length: 8, truncated: false } },
            { name: 'host', value: { type: 'string', value: 'db.local', length: 8, truncated: false } },
            { name: 'secretGetter', value: { type: 'accessor', hasGetter: true, hasSetter: false } },
          ],
        },
        size: { total: 3, exact: true },
      },
      { name: 'cachedKey', kind: 'let', value: { type: 'undefined' }, size: { total: 0, exact: true } },
    ];
    const masked = maskCapturedVariables(variables);
    const json = JSON.stringify(masked);
    assert.ok(!json.includes('tok-123456') && !json.includes('hunter22'), json);
    assert.ok(json.includes('db.local'));
    assert.deepEqual(masked?.[2].value, { type: 'undefined' }, 'an empty secret-named variable keeps its shape');
    assert.deepEqual((masked?.[1].value as { properties: Array<{ value: unknown }> }).properties[2].value, { type: 'accessor', hasGetter: true, hasSetter: false });
    assert.equal(maskCapturedVariables(null), null);
  });
});
