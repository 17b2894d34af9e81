/**
 * connectionClosed and takeLiveResponse (src/core/endpoint/http.ts): whether an answer can still
 * reach the caller, asked in the same turn as the connection's end, before Node's 'close' events
 * have run. The request log's "not delivered" and the Runtime API backend's choice of a /next
 * poll rest on them.
 */
import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connectionClosed, takeLiveResponse } from '../../src/core/endpoint/http';

interface Held {
  request: IncomingMessage;
  response: ServerResponse;
  /** The caller's end of the connection. */
  socket: Socket;
}

/** A server that leaves every request unanswered, and what the test opened against it, closed after each test. */
let server: Server | null = null;
const sockets: Socket[] = [];

async function listen(): Promise<{ hold: () => Promise<Held> }> {
  const arrivals: Array<(held: Omit<Held, 'socket'>) => void> = [];
  server = createServer((request, response) => arrivals.shift()?.({ request, response }));
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const port = (listening.address() as AddressInfo).port;
  return {
    hold: async () => {
      const arrived = new Promise<Omit<Held, 'socket'>>((resolve) => arrivals.push(resolve));
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.write('GET /held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      return { ...(await arrived), socket };
    },
  };
}

/** Resolves with what `ask` says in the turn the server's socket reads the caller's FIN. */
function atFin<T>(held: Held, ask: () => T): Promise<T> {
  const answer = new Promise<T>((resolve) => held.request.socket.once('end', () => resolve(ask())));
  held.socket.end();
  return answer;
}

describe('endpoint: an answer that can no longer reach its caller, known before the close events ran', function () {
  this.timeout(10000);

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    const closing = server;
    server = null;
    if (closing) {
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it('connectionClosed: false for a caller still waiting, true at once when the server ends every connection', async () => {
    const held = await (await listen()).hold();
    assert.equal(connectionClosed(held.request, held.response), false);
    server?.closeAllConnections();
    // What the request log read before: the response learns of it only from the socket's 'close' event.
    assert.equal(held.response.destroyed, false);
    assert.equal(connectionClosed(held.request, held.response), true);
  });

  it("connectionClosed: true in the turn Node reads the caller's FIN", async () => {
    const held = await (await listen()).hold();
    const seen = await atFin(held, () => ({ closed: connectionClosed(held.request, held.response), destroyed: held.response.destroyed }));
    assert.deepEqual(seen, { closed: true, destroyed: false });
  });

  it('takeLiveResponse: passes over polls whose connection is ending or ended, and takes the first live one', async () => {
    const { hold } = await listen();
    const [finished, cut, live, later] = [await hold(), await hold(), await hold(), await hold()];
    cut.socket.destroy();
    const waiting = [finished.response, cut.response, live.response, later.response];
    const taken = await atFin(finished, () => {
      // The cut connection's end may not have been read yet: end it from this side too.
      cut.request.socket.destroy();
      return takeLiveResponse(waiting);
    });
    assert.equal(taken, live.response);
    assert.deepEqual(waiting, [later.response], 'the live poll after it waits on');
    assert.equal(finished.response.destroyed, true, 'a dead poll is let go');
    assert.equal(takeLiveResponse([]), undefined);
  });
});
