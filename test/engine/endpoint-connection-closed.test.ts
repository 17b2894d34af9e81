/**
 * connectionClosed (src/core/endpoint/http.ts): whether an answer can still reach the caller,
 * asked in the same turn as the connection's end, before Node's 'close' events have run. The
 * request log's "not delivered" and the Runtime API backend's choice of a /next poll rest on it.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectionClosed } from '../../src/core/endpoint/http';

interface Held {
  server: Server;
  port: number;
  /** The next request the server receives, its response left unanswered. */
  next(): Promise<{ request: IncomingMessage; response: ServerResponse }>;
}

async function holdingServer(): Promise<Held> {
  const arrivals: Array<(held: { request: IncomingMessage; response: ServerResponse }) => void> = [];
  const server = createServer((request, response) => arrivals.shift()?.({ request, response }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    next: () => new Promise((resolve) => arrivals.push(resolve)),
  };
}

function rawRequest(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('GET /held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  return socket;
}

describe('endpoint: connectionClosed, asked before the close events ran', function () {
  this.timeout(10000);

  it('is false for a caller still waiting, and true at once when the server ends every connection', async () => {
    const held = await holdingServer();
    const arrived = held.next();
    const socket = rawRequest(held.port);
    const { request, response } = await arrived;
    assert.equal(connectionClosed(request, response), false);
    held.server.closeAllConnections();
    // What the request log read before: the response learns of it only from the socket's 'close' event.
    assert.equal(response.destroyed, false);
    assert.equal(connectionClosed(request, response), true);
    socket.destroy();
    await new Promise((resolve) => held.server.close(resolve));
  });

  it('is true once the caller has sent its FIN, in the turn Node reads it', async () => {
    const held = await holdingServer();
    const arrived = held.next();
    const socket = rawRequest(held.port);
    const { request, response } = await arrived;
    const seen = new Promise<{ closed: boolean; destroyed: boolean }>((resolve) =>
      request.socket.once('end', () => resolve({ closed: connectionClosed(request, response), destroyed: response.destroyed })),
    );
    socket.end();
    assert.deepEqual(await seen, { closed: true, destroyed: false });
    socket.destroy();
    await new Promise((resolve) => held.server.close(resolve));
  });
});
