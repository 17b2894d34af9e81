/** Shared by the suites of the local endpoint: serve's CLI and key file, hostile archives, a warm endpoint with its client. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { createBackendFactory } from '../../src/core/endpoint/backend-factory';
import { startLambdaEndpoint, type LambdaEndpoint } from '../../src/core/endpoint/server';
import type { FunctionRegistration } from '../../src/core/endpoint/state';
import { decodeLogResult, parseLogTail } from '../../src/core/lambda/report';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';

/** The local endpoint serving `functions` from real local environments, and an SDK client signed for it (no retries). */
export async function localEndpoint(functions: FunctionRegistration[]): Promise<{ endpoint: LambdaEndpoint; lambda: LambdaClient }> {
  const endpoint = await startLambdaEndpoint({ port: 0, backendFactory: createBackendFactory({ createEnvironment: createLocalEnvironment }), functions });
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: endpoint.credentials, maxAttempts: 1 });
  return { endpoint, lambda };
}

/** The Init Duration of the REPORT line in an Invoke's log tail: null for a warm invocation. */
export function initDurationOf(result: InvokeCommandOutput): number | null {
  return parseLogTail(decodeLogResult(result.LogResult)).report?.initDurationMs ?? null;
}

export interface ServedKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** The key file the banner names. */
  file: string;
  /** Its permission bits. */
  mode: number;
}

/** The run's key pair, read from the key file that serve's start-up banner names. */
export function servedKey(stdout: string): ServedKey {
  const file = /key pair of this run, in (\S+) \(readable by you only\)/.exec(stdout)?.[1];
  if (!file) throw new Error(`serve printed no key file: ${stdout}`);
  const { accessKeyId, secretAccessKey } = JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
  return { accessKeyId, secretAccessKey, file, mode: statSync(file).mode & 0o777 };
}

/**
 * A zip with one entry that inflates to `megabytes` MB of zeros from about 1 KB per MB: one
 * deflate block of 1 MB of zeros, repeated (each block stands alone), then an empty final
 * block. Its headers declare `declared` bytes unzipped (the truth, or a lie); with null they
 * declare nothing (flag bit 3, sizes in a trailing descriptor), so that only a running count
 * of the inflated bytes can stop it.
 */
export function zipBomb(megabytes: number, declared: number | null): Buffer {
  const declare = declared !== null;
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
  const data = Buffer.concat([...Array.from({ length: megabytes }, () => block), deflateRawSync(Buffer.alloc(0))]);
  const size = (declared ?? megabytes * 1024 * 1024) >>> 0;
  const name = Buffer.from('bomb.bin');
  const flags = declare ? 0 : 8;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(8, 8); // deflate
  if (declare) {
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
  }
  local.writeUInt16LE(name.length, 26);
  const descriptor = Buffer.alloc(declare ? 0 : 16);
  if (!declare) {
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(data.length, 8);
    descriptor.writeUInt32LE(size, 12);
  }
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length + descriptor.length, 16);
  return Buffer.concat([local, name, data, descriptor, central, name, end]);
}

/** `warm-state serve` from source in a process of its own, with `home` as its HOME. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

export function startServe(args: string[], home: string): ServeProcess {
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: home },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** The endpoint's URL once the whole banner is out (the signal handlers are installed before it); rejects if serve exits first. */
export function servedUrl(served: ServeProcess, timeoutMs = 20000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${JSON.stringify(served.output())}`)), timeoutMs);
    const check = (): void => {
      const match = /Local Lambda endpoint on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Ctrl\+C stops/.exec(served.output().stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    served.child.stdout.on('data', check);
    check();
    void served.exited.then((code) => reject(new Error(`serve exited with ${code}: ${JSON.stringify(served.output())}`)));
  });
}
