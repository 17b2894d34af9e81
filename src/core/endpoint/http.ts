/** Small HTTP helpers for the local endpoint: bounded body reading and service-shaped replies. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from './service-error';

/**
 * After a refusal, the rest of a body is read and dropped (never kept) up to this many bytes,
 * so that a client still sending an oversized event gets to read our answer; past it the
 * connection is cut. A little more than Invoke's 6 MB limit, so the AWS SDKs read a 413.
 */
const DISCARD_LIMIT = 16 * 1024 * 1024;

/**
 * Reads the whole request body, refusing it (`tooLarge()`) as soon as it is known to exceed
 * `limit`: from Content-Length before reading anything, else while it arrives. At most `limit`
 * bytes are ever held.
 */
export function readBody(request: IncomingMessage, limit: number, tooLarge: () => ServiceError): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  if (declared === 0 || request.complete) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** Drops what is left of a refused request's body (see DISCARD_LIMIT); keeps nothing. */
export function discardBody(request: IncomingMessage): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT) request.socket.destroy();
  });
  request.on('error', () => undefined);
  request.resume();
}

/**
 * Whether an answer can no longer reach the caller. The socket says so at once when it is
 * destroyed (the endpoint ending every connection as it stops, or the caller gone); `response.destroyed`
 * follows only from the socket's 'close' event, a turn of the event loop later, which an
 * invocation cut off in that same turn would beat.
 */
export function connectionClosed(request: IncomingMessage, response: ServerResponse): boolean {
  // The request's socket: a pipelined request's response has none until those before it are
  // written. Not writable: the caller's FIN was read and Node is ending the socket (destroyed a turn later).
  return response.destroyed || request.socket.destroyed || !request.socket.writable;
}

/**
 * The oldest of `waiting` (held long-poll answers, oldest first) that can still reach its
 * caller, removed with every dead one before it; undefined when none is left. Used to hand a
 * Runtime API event to a /next poll: one handed to a closed connection would be lost.
 */
export function takeLiveResponse(waiting: ServerResponse[]): ServerResponse | undefined {
  for (let response = waiting.shift(); response; response = waiting.shift()) {
    if (!response.writableEnded && !connectionClosed(response.req, response)) return response;
    response.destroy();
  }
  return undefined;
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
