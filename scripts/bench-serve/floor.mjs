// The floor of any server that runs a function in a process of its own, for `npm run bench:serve`:
// node:http takes the Invoke, the body goes over a pipe to a child process that calls the handler
// and writes its JSON answer back, and that answer is the response. No signature check, no
// Lambda runtime (no context, no timeout, no logs, no REPORT, no freeze), no validation of what
// the child sends: only the two processes and the hops between them that `warm-state serve` also
// has. Measured beside serve in the same run, it shows how much of serve's time is the process
// boundary itself on the machine at hand. Not a server to use.
//
// node floor.mjs --port PORT HANDLER_FILE EXPORT   (prints "listening on http://127.0.0.1:PORT")
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { readSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  // The child: one JSON event per line on fd 3, one JSON answer per line back. A blocking read
  // between requests, as serve's runtime does while the environment is frozen.
  const handler = createRequire(import.meta.url)(process.argv[3])[process.argv[4]];
  const buffer = Buffer.alloc(64 * 1024);
  // A character split between two reads is decoded whole.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for (;;) {
    const read = readSync(3, buffer, 0, buffer.length, null);
    if (read === 0) process.exit(0);
    pending += decoder.write(buffer.subarray(0, read));
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const event = JSON.parse(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      writeSync(3, `${JSON.stringify(await handler(event))}\n`);
    }
  }
} else {
  const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
  const [handlerFile, exportName] = process.argv.slice(-2);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', handlerFile, exportName], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
  const channel = child.stdio[3];
  // Without its child the floor cannot answer: end, so that a client fails at once instead of waiting.
  child.on('exit', (code, signal) => {
    process.stderr.write(`the floor's child process ended (${signal ?? code})\n`);
    process.exit(1);
  });
  // One request at a time per connection and one connection: answers come back in order.
  const waiting = [];
  let received = '';
  channel.setEncoding('utf8');
  channel.on('data', (text) => {
    received += text;
    for (let newline = received.indexOf('\n'); newline >= 0; newline = received.indexOf('\n')) {
      const answer = Buffer.from(received.slice(0, newline));
      received = received.slice(newline + 1);
      waiting.shift()?.(answer);
    }
  });
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      waiting.push((answer) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(answer.length) });
        response.end(answer);
      });
      channel.write(`${Buffer.concat(chunks).toString('utf8')}\n`);
    });
  });
  process.on('SIGTERM', () => {
    child.removeAllListeners('exit');
    child.kill();
    process.exit(0);
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${port}\n`));
}
