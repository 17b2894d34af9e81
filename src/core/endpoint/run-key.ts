/**
 * The key pair of one endpoint run. The endpoint accepts requests signed with it (auth.ts);
 * whoever can read it can run code as the user, so it is shown to that user at start and
 * written to a file only they can read (mode 0600 in a folder of mode 0700), where Warm
 * State's CLI and extension find it by the endpoint's port.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunKey {
  accessKeyId: string;
  secretAccessKey: string;
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh pair: a 20-character key id like AWS's (`WSLOCAL` + 13 random), a 40-character secret. */
export function createRunKey(): RunKey {
  const id = [...randomBytes(13)].map((byte) => KEY_ID_ALPHABET[byte & 31]).join('');
  return { accessKeyId: `WSLOCAL${id}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

/**
 * Writes the pair for `url` into `file`, readable by the user only, replacing any file a
 * previous run left there; returns a function that removes it again (if it still holds this key).
 */
export function writeRunKey(file: string, key: RunKey, url: string): () => void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone: narrow it (ours, under the user's cache folder).
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  // 'wx' fails rather than follow a link planted at that name; the mode applies at creation.
  writeFileSync(temporary, `${JSON.stringify({ url, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, pid: process.pid })}\n`, {
    flag: 'wx',
    mode: 0o600,
  });
  renameSync(temporary, file);
  return () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId?: unknown }).accessKeyId === key.accessKeyId) rmSync(file, { force: true });
    } catch {
      // already gone, or replaced by another run: leave it
    }
  };
}
