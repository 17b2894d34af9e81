/** Small HTTP helpers for the local endpoint: bounded body reading and service-shaped replies. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from './service-error';

export interface BodyResult {
  body: Buffer;
  /** True when the body was larger than the limit; it was read (and discarded) to the end. */
  tooLarge: boolean;
  size: number;
}

/**
 * Reads the whole request body, keeping at most `limit` bytes. The rest is drained rather
 * than cut off, so the client reads our 413 reply instead of a reset connection.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), tooLarge: size > limit, size }));
    request.on('error', reject);
  });
}

export function send(response: ServerResponse, status: number, body: Buffer, headers: Record<string, string>): void {
  response.writeHead(status, {
    'x-amzn-RequestId': headers['x-amzn-RequestId'] ?? randomUUID(),
    'Content-Length': String(body.length),
    ...headers,
  });
  response.end(body);
}

export function sendError(response: ServerResponse, error: ServiceError): void {
  send(response, error.status, Buffer.from(error.body()), {
    'Content-Type': 'application/json',
    'X-Amzn-ErrorType': error.errorType,
  });
}
