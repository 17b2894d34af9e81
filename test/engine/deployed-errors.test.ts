/**
 * toDeployedErrorAt against real sockets: a call that never reached a server, at a local
 * endpoint URL where nothing listens, is reported as that unreachable endpoint; an answer from a
 * server, or a remote URL, keeps its own meaning.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { toDeployedErrorAt } from '../../src/core/deployed/errors';

/** A loopback port that was free a moment ago and has no listener now. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** What the SDK throws when an SSO session has expired: a provider error, no HTTP status. */
function expiredSso(): Error {
  return Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid.'), { name: 'TokenProviderError' });
}

describe('deployed errors at a local endpoint (real sockets)', () => {
  it('an error that never reached a server, at a loopback URL that refuses, is the unreachable endpoint', async () => {
    const endpointUrl = `http://127.0.0.1:${await closedPort()}`;
    for (const thrown of [expiredSso(), Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), new Error('Region is missing')]) {
      const error = await toDeployedErrorAt(thrown, { operation: 'ResolveCredentials', functionName: 'f', endpointUrl });
      assert.equal(error.code, 'unreachable', `${thrown.name}: ${error.message}`);
      assert.match(error.message, new RegExp(`Could not reach ${endpointUrl.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
    }
  });

  it('keeps the error as it is when a server answered, or the URL is not a local one', async () => {
    const endpointUrl = `http://127.0.0.1:${await closedPort()}`;
    const answered = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException', $metadata: { httpStatusCode: 403 } });
    assert.equal((await toDeployedErrorAt(answered, { operation: 'Invoke', functionName: 'f', endpointUrl })).code, 'expired-token');
    const remote = await toDeployedErrorAt(new Error('Region is missing'), { operation: 'ResolveRegion', functionName: 'f', endpointUrl: 'https://lambda.example.com' });
    assert.equal(remote.code, 'no-region');
  });
});
