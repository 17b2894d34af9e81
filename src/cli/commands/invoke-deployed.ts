/**
 * `warm-state invoke --function NAME`: invokes a deployed Lambda function (or one behind
 * an endpoint such as `warm-state serve` or LocalStack) and prints the same records as
 * local invocations. Also attaches and detaches the Warm State probe layer.
 */
import { resolve } from 'node:path';
import { integerFlag, lastValue, parseFlags, UsageError } from '../../core/remote/flags';

export const INVOKE_DEPLOYED_USAGE = `Usage:
  warm-state invoke --function NAME [--qualifier Q] [--region R] [--profile P]
                    [--endpoint-url URL] [--event FILE] [--times N] [--json]
  warm-state invoke --function NAME --attach-probe [--yes] [connection options]
  warm-state invoke --function NAME --detach-probe [connection options]

Invokes a deployed AWS Lambda function with LogType Tail and prints, per invocation:
cold or warm (Init Duration), Duration, Billed Duration, Memory Size, Max Memory Used,
the response or FunctionError, the decoded log tail, and module/handler scopes when the
Warm State probe is attached. Credentials come from the AWS SDK's standard chain
(environment, shared config/credentials files, SSO, container/instance roles).

Options:
  --function NAME      function name, ARN, or NAME:ALIAS
  --qualifier Q        version or alias to invoke (default $LATEST)
  --region R           AWS region (default: AWS_REGION or the profile's region)
  --profile P          named profile from ~/.aws/config
  --endpoint-url URL   another endpoint, e.g. http://127.0.0.1:3001 (warm-state serve)
  --event FILE         JSON event file (default {}); "-" reads standard input
  --times N            invoke N times in a row (default 1)
  --json               one JSON record per line (the snapshot contract)
  --attach-probe       publish the probe layer and add it to the function (shows the
                       change; applies it only with --yes)
  --detach-probe       restore the configuration saved when the probe was attached
  --yes                confirm --attach-probe
  -h, --help           show this text`;

export interface InvokeDeployedOptions {
  functionName: string;
  qualifier?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Absolute path, or '-' for standard input; undefined means the event {}. */
  eventFile?: string;
  times: number;
  json: boolean;
  action: 'invoke' | 'attach-probe' | 'detach-probe';
  yes: boolean;
}

export function parseInvokeDeployedArgs(args: readonly string[], cwd = process.cwd()): InvokeDeployedOptions | 'help' {
  const flags = parseFlags(args[0] === 'invoke' ? args.slice(1) : args, {
    values: ['--function', '--qualifier', '--region', '--profile', '--endpoint-url', '--event', '--times'],
    switches: ['--json', '--attach-probe', '--detach-probe', '--yes', '--help'],
    aliases: { '-h': '--help', '-f': '--function', '-e': '--event', '-n': '--times' },
  });
  if (flags.switches.has('--help')) return 'help';
  if (flags.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${flags.positionals[0]} (a deployed function is named with --function, not a file)`);
  }
  const functionName = lastValue(flags, '--function');
  if (!functionName) throw new UsageError('--function NAME is required');
  const endpointUrl = lastValue(flags, '--endpoint-url');
  if (endpointUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(endpointUrl)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got "${endpointUrl}"`);
  }
  const attach = flags.switches.has('--attach-probe');
  const detach = flags.switches.has('--detach-probe');
  if (attach && detach) throw new UsageError('choose one of --attach-probe and --detach-probe');
  const event = lastValue(flags, '--event');
  return {
    functionName,
    qualifier: lastValue(flags, '--qualifier'),
    region: lastValue(flags, '--region'),
    profile: lastValue(flags, '--profile'),
    endpointUrl,
    eventFile: event === undefined || event === '-' ? event : resolve(cwd, event),
    times: integerFlag(flags, '--times', 1, 1000) ?? 1,
    json: flags.switches.has('--json'),
    action: attach ? 'attach-probe' : detach ? 'detach-probe' : 'invoke',
    yes: flags.switches.has('--yes'),
  };
}

export async function runInvokeDeployed(args: string[]): Promise<number> {
  let options: InvokeDeployedOptions | 'help';
  try {
    options = parseInvokeDeployedArgs(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`warm-state invoke: ${error.message}\n\n${INVOKE_DEPLOYED_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${INVOKE_DEPLOYED_USAGE}\n`);
    return 0;
  }
  // The deployed-mode client lands in a following commit (src/core/remote).
  process.stderr.write('warm-state invoke --function: deployed mode is not available in this build yet\n');
  return 1;
}
