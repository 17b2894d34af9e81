/**
 * The forms of a known secret that masking must catch (issue 14, defect 8): all-digit values,
 * short values as whole tokens, encoded forms, and bytes in Buffer and typed array previews.
 */
import assert from 'node:assert/strict';
import type { CapturedVariable, ValueNode } from '../../src/core/model/snapshot';
import { MASK, maskCapturedVariables, maskSecrets, SecretForms, SecretMasker, secretValuesOf } from '../../src/core/lambda/mask';

const PIN = '83920174';
const SECRET = 'hunter2-db-pass';
const SHORT = 'zq7x';

type Binary = Extract<ValueNode, { type: 'binary' }>;
function binary(bytes: readonly number[], className = 'Buffer', length = bytes.length): Binary {
  return { type: 'binary', className, byteLength: length, length, preview: [...bytes], truncated: length > bytes.length };
}

describe('secret forms: every form of a known secret is masked', () => {
  const forms = new SecretForms([PIN, SECRET, SHORT]);

  it('masks an all-digit secret, wherever it occurs', () => {
    const masker = SecretMasker.fromEnvironment({ DB_PIN_PASSWORD: PIN });
    assert.equal(masker.hasSecrets, true);
    assert.equal(masker.text(`pin=${PIN}; id 1${PIN}9`), `pin=${MASK}; id 1${MASK}9`);
    assert.deepEqual(masker.json({ pin: Number(PIN), count: 3 }), { pin: MASK, count: 3 }, 'also as a number');
    assert.deepEqual(secretValuesOf({ DB_PIN_PASSWORD: PIN, RETRY_TOKEN: '1', TOKEN_TTL: '300' }), [PIN], 'up to 3 digits: a setting');
  });

  it('masks a 4-character secret as a whole token only, never inside a longer word', () => {
    assert.equal(forms.text(`login zq7x ok, "zq7x", zq7x.`), `login ${MASK} ok, "${MASK}", ${MASK}.`);
    assert.equal(forms.text('zq7xy and xzq7x and zq7x_1 stay'), 'zq7xy and xzq7x and zq7x_1 stay');
    assert.equal(forms.text('token=ZQ7X'), `token=${MASK}`, 'upper-cased');
    assert.equal(new SecretForms(['4831']).text('pin 4831 accepted; 48310 x4831 4831_id'), `pin ${MASK} accepted; 48310 x4831 4831_id`, 'the example of docs/security.md');
    const three = new SecretForms(['abc']);
    assert.equal(three.text('abc in text'), 'abc in text', 'three characters: only a whole string equal to it');
    assert.equal(three.string('abc', false), MASK);
  });

  it('masks base64, base64url, hex, URL-encoded, upper- and lower-cased forms', () => {
    const value = 'S3cr3t/Value+x?y z&';
    const only = new SecretForms([value]);
    const bytes = Buffer.from(value);
    const encoded = [
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, '+'),
      value.toUpperCase(),
      value.toLowerCase(),
    ];
    for (const form of encoded) assert.equal(only.text(`[${form}]`), `[${MASK}]`, form);
  });

  it('masks a secret inside a longer base64 text at every byte offset (a Basic header)', () => {
    for (const prefix of ['', 'u:', 'ab:', 'abc:']) {
      const header = `Basic ${Buffer.from(`${prefix}${SECRET}@host`).toString('base64')}`;
      const masked = forms.text(header);
      assert.equal(masked.split(MASK).length, 2, `${prefix}: ${masked}`);
      // The mask replaced every character that encodes the secret's bits alone (at most one
      // partly-secret character is left on either side).
      const hidden = header.length - masked.length + MASK.length;
      assert.ok(hidden >= Math.floor((8 * SECRET.length) / 6) - 2, `${prefix}: ${hidden} characters hidden in ${masked}`);
    }
  });

  it('masks secret bytes in Buffer and typed array previews, and a secret cut at the end of a preview', () => {
    const bytes = [...Buffer.from(`k=${SECRET}`)];
    assert.deepEqual(forms.binary(binary(bytes)).preview, [...Buffer.from(`k=${MASK}`)]);
    // Cut by the 16-element preview: the secret's first bytes must not show.
    const cut = binary(bytes.slice(0, 8), 'Uint8Array', 40);
    assert.deepEqual(forms.binary(cut).preview, [...Buffer.from(`k=${MASK}`)]);
    const pin = binary([...Buffer.from(PIN)], 'ArrayBuffer');
    assert.deepEqual(forms.binary(pin).preview, [...Buffer.from(MASK)]);
    // Wider elements are not bytes; an unrelated buffer is returned as it was.
    const wide: Binary = { ...binary([...Buffer.from(PIN)], 'Uint16Array'), byteLength: 16 };
    assert.equal(forms.binary(wide), wide);
    const plain = binary([1, 2, 3, 4, 5]);
    assert.equal(forms.binary(plain), plain);
  });

  it('masks bytes in both the local and the deployed value trees', () => {
    const variables: CapturedVariable[] = [
      { name: 'buf', kind: 'const', value: binary([...Buffer.from(PIN)]), size: { total: 8, exact: true } },
    ];
    const local = SecretMasker.fromEnvironment({ DB_PIN_PASSWORD: PIN }).variables(variables);
    const deployed = maskCapturedVariables(variables, new SecretForms([PIN]));
    for (const masked of [local, deployed]) assert.deepEqual((masked?.[0].value as Binary).preview, [...Buffer.from(MASK)]);
  });

  it('deployed text masking uses the same forms, and short secrets no longer need 6 characters', () => {
    const known = new SecretForms(secretValuesOf({ API_TOKEN: SHORT, DB_PIN_PASSWORD: PIN }));
    assert.equal(maskSecrets(`got ${SHORT} and ${Buffer.from(PIN).toString('base64')}`, known), `got ${MASK} and ${MASK}`);
  });
});
