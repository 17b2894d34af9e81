/**
 * Local records never hold credentials: a real child runs a handler that reads, stores,
 * logs, returns and throws its secrets (a user variable and the caller's AWS credentials,
 * which lambda-env.ts passes through like Lambda does); the record WarmSession gives to
 * every consumer (CLI, panel, saved history) has none of their values, names still shown.
 * Also the same through `dist/cli.js --json`, and the masker's rules on small values.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationRecord, ValueNode } from '../../src/core/model/snapshot';
import { MASK, SecretMasker } from '../../src/core/lambda/mask';
import { localEnvironments, WarmSession } from '../../src/core/session';

const root = join(__dirname, '..', '..');
const DB_PASSWORD = 'hunter2-db-pass';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
const PLAIN = 'orders-table-visible';

const HANDLER = `
const password = process.env.DB_PASSWORD;
const config = { apiKey: process.env.API_KEY, table: process.env.TABLE_NAME, dsn: 'postgres://app:' + process.env.DB_PASSWORD + '@db/app' };
const k = process.env.API_KEY;
let aws = process.env.AWS_SECRET_ACCESS_KEY;
const seen = [];
const tableName = process.env.TABLE_NAME;
exports.handler = async (event) => {
  const copy = process.env.DB_PASSWORD;
  seen.push(copy);
  console.log('connecting with', process.env.DB_PASSWORD, 'and', process.env.AWS_SECRET_ACCESS_KEY, 'to', process.env.TABLE_NAME);
  console.log(config);
  if (event.fail) throw new Error('login failed for ' + copy);
  return { password: copy, echo: 'key=' + aws, table: tableName, seen: seen.length };
};
`;

function find<T extends { name: string }>(list: readonly T[], name: string): T {
  const found = list.find((v) => v.name === name);
  assert.ok(found, `variable ${name} missing from ${list.map((v) => v.name).join(', ')}`);
  return found;
}

function prop(node: ValueNode, name: string): ValueNode {
  assert.equal(node.type, 'object');
  const found = node.type === 'object' ? node.properties.find((p) => p.name === name) : undefined;
  assert.ok(found, `property ${name} missing`);
  return found.value;
}

function stringOf(node: ValueNode): string {
  assert.equal(node.type, 'string', JSON.stringify(node));
  return node.type === 'string' ? node.value : '';
}

function assertMasked(record: InvocationRecord): void {
  const text = JSON.stringify(record);
  assert.ok(!text.includes(DB_PASSWORD), `DB_PASSWORD leaked: ${text}`);
  assert.ok(!text.includes('hunter2'), 'a part of DB_PASSWORD leaked');
  assert.ok(!text.includes(AWS_SECRET), 'AWS_SECRET_ACCESS_KEY leaked');
  // Names stay, values are masked.
  assert.equal(stringOf(find(record.moduleScope, 'password').value), MASK);
  assert.equal(stringOf(prop(find(record.moduleScope, 'config').value, 'apiKey')), MASK);
  assert.equal(stringOf(find(record.moduleScope, 'k').value), MASK, 'a short secret is masked where a whole value equals it');
  assert.equal(stringOf(find(record.moduleScope, 'aws').value), MASK);
  assert.equal(stringOf(prop(find(record.moduleScope, 'config').value, 'dsn')), `postgres://app:${MASK}@db/app`);
  // Plain values stay visible.
  assert.equal(stringOf(find(record.moduleScope, 'tableName').value), PLAIN);
  assert.equal(stringOf(prop(find(record.moduleScope, 'config').value, 'table')), PLAIN);
  assert.match(record.logs, new RegExp(`connecting with \\*{4} and \\*{4} to ${PLAIN}`));
}

describe('local records: secrets masked (real child)', function () {
  this.timeout(30000);
  let dir: string;
  let file: string;
  let session: WarmSession;
  const savedAwsSecret = process.env.AWS_SECRET_ACCESS_KEY;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-mask-'));
    file = join(dir, 'handler.js');
    writeFileSync(file, HANDLER);
    // The caller's credentials, passed through to the child from the host environment.
    process.env.AWS_SECRET_ACCESS_KEY = AWS_SECRET;
    session = new WarmSession({
      environments: localEnvironments({ file, handlerExport: 'handler', capture: true, env: { DB_PASSWORD, API_KEY: 'abc', TABLE_NAME: PLAIN } }),
    });
  });

  after(async () => {
    await session.dispose();
    if (savedAwsSecret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = savedAwsSecret;
    rmSync(dir, { recursive: true, force: true });
  });

  it('masks module state, handler scope, the response and the logs; plain values stay', async () => {
    const cold = await session.invoke({});
    const warm = await session.invoke({});
    for (const record of [cold, warm]) {
      assert.equal(record.error, null, JSON.stringify(record.error));
      assertMasked(record);
      assert.equal(stringOf(find(record.handlerScope, 'copy').value), MASK);
      assert.deepEqual(record.response, { password: MASK, echo: `key=${MASK}`, table: PLAIN, seen: record === cold ? 1 : 2 });
    }
    const seen = find(warm.moduleScope, 'seen').value;
    assert.equal(seen.type, 'array');
    assert.deepEqual(seen.type === 'array' ? seen.items.map(stringOf) : [], [MASK, MASK], 'the array stays visible, its secret strings are masked');
    // Growth analysis still sees the real sizes.
    assert.ok(find(warm.moduleScope, 'seen').size > find(cold.moduleScope, 'seen').size);
    assert.deepEqual(session.history.records().map((r) => JSON.stringify(r).includes(DB_PASSWORD)), [false, false]);
  });

  it("passes the caller's ClientContext on to the function, and masks it where it comes back", async () => {
    const clientContextFile = join(dir, 'client-context.js');
    writeFileSync(clientContextFile, 'exports.handler = async (event, context) => ({ clientContext: context.clientContext ?? null });\n');
    const env = localEnvironments({ file: clientContextFile, handlerExport: 'handler', env: { DB_PASSWORD } })(0);
    try {
      const record = await env.invoke({}, { clientContext: { custom: { tenant: 'a', note: `pw ${DB_PASSWORD}` } } });
      assert.deepEqual(record.response, { clientContext: { custom: { tenant: 'a', note: `pw ${MASK}` } } });
    } finally {
      await env.dispose();
    }
  });

  it('masks the error message and the trace', async () => {
    const record = await session.invoke({ fail: true });
    assert.ok(record.error);
    assert.equal(record.error.errorMessage, `login failed for ${MASK}`);
    assert.ok(record.error.trace.some((line) => line.includes(MASK)), record.error.trace.join('\n'));
    assertMasked(record);
  });
});

describe('local records: secrets masked through dist/cli.js --json', function () {
  this.timeout(60000);

  it('prints no secret value and keeps names and plain values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warm-mask-cli-'));
    try {
      const file = join(dir, 'handler.js');
      writeFileSync(file, HANDLER);
      const args = [join(root, 'dist', 'cli.js'), 'invoke', file, '--times', '2', '--json', '--env', `DB_PASSWORD=${DB_PASSWORD}`, '--env', 'API_KEY=abc', '--env', `TABLE_NAME=${PLAIN}`];
      const result = spawnSync(process.execPath, args, {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_ACCESS_KEY_ID: 'AKIAWARMSTATEMASK001' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.ok(!result.stdout.includes(DB_PASSWORD) && !result.stderr.includes(DB_PASSWORD), 'DB_PASSWORD printed');
      assert.ok(!result.stdout.includes(AWS_SECRET) && !result.stderr.includes(AWS_SECRET), 'AWS secret printed');
      const records = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as InvocationRecord);
      assert.equal(records.length, 2);
      for (const record of records) assertMasked(record);

      const human = spawnSync(process.execPath, args.filter((a) => a !== '--json'), {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', COLUMNS: '200', AWS_SECRET_ACCESS_KEY: AWS_SECRET },
      });
      assert.equal(human.status, 0, human.stderr);
      assert.ok(!human.stdout.includes(DB_PASSWORD) && !human.stdout.includes(AWS_SECRET), human.stdout);
      assert.match(human.stdout, /password/);
      assert.match(human.stdout, new RegExp(PLAIN));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SecretMasker rules', () => {
  const masker = SecretMasker.fromEnvironment({ DB_PASSWORD, API_KEY: 'abc', DEBUG_TOKEN_ENABLED: 'true', TABLE_NAME: PLAIN });
  const str = (value: string, truncated = false): ValueNode => ({ type: 'string', value, length: value.length, truncated });

  it('leaves records alone when nothing is secret, sharing the input', () => {
    const none = SecretMasker.fromEnvironment({ TABLE_NAME: PLAIN });
    assert.equal(none.hasSecrets, false);
    const node: ValueNode = { type: 'object', className: 'Object', properties: [{ name: 'table', value: str(PLAIN) }], truncated: false };
    assert.equal(none.value(node), node);
    assert.equal(masker.value(node), node, 'nothing changed: the same node comes back');
  });

  it('masks by name only strings and bytes: structures and numbers under secret-looking names stay visible', () => {
    const keys: ValueNode = { type: 'set', className: 'Set', size: 1, items: [str('user-1')], truncated: false };
    const vars = masker.variables([
      { name: 'keys', kind: 'const', value: keys, size: { total: 1, exact: true } },
      { name: 'tokenCount', kind: 'let', value: { type: 'number', value: 5 }, size: { total: 0, exact: true } },
      { name: 'privateKey', kind: 'const', value: { type: 'binary', className: 'Buffer', byteLength: 3, length: 3, preview: [1, 2, 3], truncated: false }, size: { total: 3, exact: true } },
    ]);
    assert.ok(vars);
    assert.deepEqual(find(vars, 'keys').value, keys);
    assert.deepEqual(find(vars, 'tokenCount').value, { type: 'number', value: 5 });
    assert.equal(stringOf(find(vars, 'privateKey').value), MASK);
  });

  it('does not treat flag values ("true") or short values inside text as secrets', () => {
    assert.equal(stringOf(masker.value(str('true'))), 'true');
    assert.equal(stringOf(masker.value(str('abc'))), MASK);
    assert.equal(stringOf(masker.value(str('abcdef'))), 'abcdef');
    assert.equal(masker.text('abc and true'), 'abc and true');
  });

  it('hides the start of a secret cut off by a truncated capture, and JSON-escaped forms in text', () => {
    assert.equal(stringOf(masker.value(str('prefix hunter2-d', true))), `prefix ${MASK}`);
    const quoted = SecretMasker.fromEnvironment({ SECRET: 'pa"ss\\word' });
    assert.equal(quoted.text(JSON.stringify({ v: 'pa"ss\\word' })), `{"v":"${MASK}"}`);
    assert.deepEqual(masker.json({ nested: [{ token: 'x-y', note: `has ${DB_PASSWORD}` }], n: 1 }), { nested: [{ token: MASK, note: `has ${MASK}` }], n: 1 });
  });
});

describe('local records: every form of a secret is masked (real child, issue 14 defect 8)', function () {
  this.timeout(60000);
  const PIN = '83920174';
  const SHORT = 'zq7x';
  const LONG = 's3cret-Value/with+chars';
  const FORMS_HANDLER = `
const pinBytes = Buffer.from(process.env.DB_PIN_PASSWORD);
const tail = Buffer.concat([Buffer.alloc(12, 46), Buffer.from(process.env.SIGNING_SECRET)]);
const view = new Uint8Array(Buffer.from('x=' + process.env.SIGNING_SECRET));
exports.handler = async () => {
  const s = process.env.SIGNING_SECRET;
  console.log('pin', process.env.DB_PIN_PASSWORD, 'short', process.env.API_TOKEN, 'in a line; api_tokens stays');
  console.log('b64', Buffer.from(s).toString('base64'), 'b64url', Buffer.from(s).toString('base64url'));
  console.log('hex', Buffer.from(s).toString('hex'), 'url', encodeURIComponent(s), 'upper', s.toUpperCase());
  console.log('basic', Buffer.from('user:' + s).toString('base64'));
  return { pin: Number(process.env.DB_PIN_PASSWORD), note: 'pin ' + process.env.DB_PIN_PASSWORD };
};
`;
  const leaks = (text: string): string[] => {
    const bytes = Buffer.from(LONG);
    const forms = [PIN, LONG, bytes.toString('base64').slice(0, 12), bytes.toString('base64url').slice(0, 12), bytes.toString('hex').slice(0, 12), encodeURIComponent(LONG), LONG.toUpperCase(), Buffer.from(`user:${LONG}`).toString('base64').slice(8, 20)];
    return forms.filter((form) => text.includes(form)).concat(new RegExp(`\\b${SHORT}\\b`).test(text) ? [SHORT] : []);
  };
  const bytesOf = (text: string): number[] => [...Buffer.from(text)];
  let dir: string;
  let file: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'warm-mask-forms-'));
    file = join(dir, 'handler.js');
    writeFileSync(file, FORMS_HANDLER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('masks an all-digit secret, a 4-character one in log lines, encoded forms and bytes in Buffer previews', async () => {
    const session = new WarmSession({ environments: localEnvironments({ file, handlerExport: 'handler', capture: true, env: { DB_PIN_PASSWORD: PIN, API_TOKEN: SHORT, SIGNING_SECRET: LONG } }) });
    try {
      const record = await session.invoke({});
      assert.equal(record.error, null, JSON.stringify(record.error));
      assert.deepEqual(leaks(record.logs), [], record.logs);
      assert.match(record.logs, /pin \*{4} short \*{4} in a line; api_tokens stays/);
      assert.deepEqual(record.response, { pin: MASK, note: `pin ${MASK}` }, 'the PIN parsed as a number is masked too');
      const pin = find(record.moduleScope, 'pinBytes').value;
      assert.deepEqual(pin.type === 'binary' ? pin.preview : pin, bytesOf(MASK));
      // 12 dots, then the secret's first 4 bytes before the 16-byte preview ends.
      const tail = find(record.moduleScope, 'tail').value;
      assert.deepEqual(tail.type === 'binary' ? tail.preview : tail, [...Array(12).fill(46), ...bytesOf(MASK)]);
      const view = find(record.moduleScope, 'view').value;
      assert.deepEqual(view.type === 'binary' ? view.preview : view, bytesOf(`x=${MASK}`));
    } finally {
      await session.dispose();
    }
  });

  it('prints none of them through dist/cli.js, human or --json', () => {
    const args = [join(root, 'dist', 'cli.js'), 'invoke', file, '--env', `DB_PIN_PASSWORD=${PIN}`, '--env', `API_TOKEN=${SHORT}`, '--env', `SIGNING_SECRET=${LONG}`];
    for (const extra of [['--json'], []]) {
      const result = spawnSync(process.execPath, [...args, ...extra], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', COLUMNS: '200' } });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(leaks(result.stdout + result.stderr), [], result.stdout);
    }
  });
});
