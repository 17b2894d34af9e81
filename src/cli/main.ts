/**
 * The `warm-state` command (bundled to dist/cli.js, the package's `bin`). Dispatches to the
 * local commands (invoke, check) and to the deployed-mode ones (serve, invoke --function);
 * every command parses its flags with the one parser in args.ts.
 */
import { version } from '../../package.json';
import { CliUsageError, parseLocalArgs, type LocalCommand } from './args';
import { runLocal, EXIT_USAGE, type CliIO } from './run-local';
import { TWO_COLUMN_MIN_WIDTH } from './render';
import { terminalSafe } from './terminal-text';

export const USAGE = `warm-state ${version}: see what survives between warm AWS Lambda invocations.

Usage:
  warm-state invoke <file> [options]      run a handler in a warm local environment
  warm-state check <file> [options]       exit 1 when module-scope state keeps growing (CI)
  warm-state invoke --function NAME ...   invoke a deployed function (warm-state invoke --function NAME --help)
  warm-state serve ...                    a local Lambda endpoint (warm-state serve --help)

Options for invoke and check:
  --handler EXPORT     the export to call (default: the one handler-looking export, else "handler")
  --event FILE|-       the event as a JSON file, or - for stdin (default {})
  --times N            invocations (invoke: 1, check: 5, at least 3: growth needs three sizes
                       in a row; with --parallel N: N, and 5N for check, at least 3N)
  --parallel N         keep N invocations in flight, 1 to 1000 (default 1): each concurrent
                       one runs in an environment of its own, with its own cold start and
                       module state, as Lambda scales out; an idle one is reused warm (the
                       most recently used first); changes and growth are per environment
  --max-environments N environments the function may have, 1 to 1000 (default 10; the
                       template's ReservedConcurrentExecutions lowers it): an invocation
                       finding them all busy is throttled, as Lambda throttles it (exit 1)
  --concurrency N      Lambda Managed Instances: one environment runs up to N invocations at
                       once (PerExecutionEnvironmentMaxConcurrency) in worker threads that each
                       load the handler once and share their module scope between the
                       invocations they run; never frozen; nodejs22.x or later. A template's
                       CapacityProviderConfig turns it on too. Records name the worker and
                       the overlapping invocations; check fails (exit 1) on cross-talk
                       between invocations of one worker or on growth in any worker
  --workers W          worker threads in that mode (default 8 x CPUs as the 4.x client
                       computes, at most 4 here unless given; check: at most half the
                       invocations in flight, so that every worker runs two at once)
  --in-flight K        invocations the driver keeps in flight in that mode (default N)
  --timeout S          Lambda timeout in seconds, 0.1 to 900 (default 3)
  --memory MB          Lambda memory size, enforced on the V8 heap (default 128)
  --env K=V            an environment variable for the function; repeatable
  --no-freeze          keep the process running between invocations (default: frozen with
                       SIGSTOP as on Lambda; Windows cannot freeze, it always runs)
  --node PATH          the node executable that runs the handler (default: node on PATH)
  --runtime NAME       the Lambda runtime to behave as: nodejs20.x, nodejs22.x or nodejs24.x
                       (default: the template's Runtime, else the local node's major version)
  --template FILE      a SAM/CloudFormation template or serverless.yml (with --resource)
  --resource ID        run the template's function ID with its declared settings
  --retained           after each invocation, measure the bytes each module variable retains
                       (heap snapshot between invocations; check does it after its last 3;
                       not with --parallel)
  --init-profile       time each top-level statement of the handler module on the cold start
  --json               invoke: one JSON object per invocation per line (docs/snapshot-format.md);
                       check: one summary object (ok, growing, cross-talk findings)
  -h, --help           this help;  --version  the version

Exit codes: 0 success; 1 an invocation failed (error, timeout, crash) or was throttled or,
for check, a module-scope variable kept growing in an environment; 2 bad usage or input
(unknown flag, invalid event JSON, ambiguous handler).`;

function defaultIO(): CliIO {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const columns = process.stdout.columns || Number(process.env.COLUMNS) || TWO_COLUMN_MIN_WIDTH;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    layout: { width: columns, color },
  };
}

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
export async function main(args: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined) {
    io.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  if (command === 'serve') {
    const { runServe } = await import('./commands/serve');
    return runServe(rest);
  }
  if (command === 'invoke' && rest.some((arg) => arg === '--function' || arg.startsWith('--function='))) {
    const { runInvokeDeployed } = await import('./commands/invoke-deployed');
    return runInvokeDeployed(rest);
  }
  if (command !== 'invoke' && command !== 'check') {
    io.stderr.write(`warm-state: unknown command "${terminalSafe(command)}"\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  let options;
  try {
    options = parseLocalArgs(command as LocalCommand, rest);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`warm-state ${command}: ${terminalSafe(error.message)}\nRun warm-state --help for the options.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (options.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return runLocal(options, io);
}

if (require.main === module) {
  // Ctrl-C: exiting runs the engine's exit hook, which kills the child (even a frozen one).
  // A command that stops on its own (serve closes its endpoint and removes its key file)
  // listens too: then the signal is its to handle, and only a second Ctrl-C, once it has
  // stopped listening, exits at once.
  const interrupted = (): void => {
    if (process.listenerCount('SIGINT') === 1) process.exit(130);
  };
  process.on('SIGINT', interrupted);
  // A closed pipe (`warm-state invoke ... | head`) is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain; if a stray handle kept the process alive, leave anyway.
      setTimeout(() => process.exit(code), 3000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`warm-state: internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
      process.exit(1);
    },
  );
}
