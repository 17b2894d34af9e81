import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLocalArgs, parseEnv, CliUsageError } from '../../src/cli/args';
import { parseServeArgs } from '../../src/cli/commands/serve';
import { invokeCommandFor, parseInvokeDeployedArgs } from '../../src/cli/commands/invoke-deployed';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/run-local';

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof CliUsageError && pattern.test(error.message));
}

describe('cli: one flag parser for every command', () => {
  /** Each command with the arguments it needs and one of its flags that takes a value. */
  const commands: [string, (args: string[]) => unknown, string][] = [
    ['invoke', (args) => parseLocalArgs('invoke', ['h.js', ...args]), '--memory'],
    ['check', (args) => parseLocalArgs('check', ['h.js', ...args]), '--times'],
    ['serve', (args) => parseServeArgs(['h.js', ...args]), '--port'],
    ['invoke --function', (args) => parseInvokeDeployedArgs(['--function', 'fn', ...args]), '--region'],
  ];
  for (const [command, parse, flag] of commands) {
    it(`${command}: words flag mistakes like every other command, as a CliUsageError`, () => {
      const mistakes: [string[], string][] = [
        [['--bogus'], "Unknown option '--bogus'"],
        [['-x'], "Unknown option '-x'"],
        [['--help=yes'], '--help takes no value'],
        [[flag], `${flag} needs a value`],
        [[flag, '--help'], `${flag} needs a value`],
        [[flag, '-5'], `${flag} -5 is ambiguous: write ${flag}=-5 for a value that starts with a dash`],
      ];
      for (const [args, message] of mistakes) {
        assert.throws(() => parse(args), (error: unknown) => error instanceof CliUsageError && error.message === message, `${args.join(' ')}`);
      }
    });
  }
  it('reads short flags, inline values, repeated flags and everything after --', () => {
    assert.equal(parseLocalArgs('invoke', ['h.js', '-n', '2']).times, 2);
    assert.equal(parseLocalArgs('invoke', ['h.js', '--times=3']).times, 3);
    // A value written inline may start with a dash: it reaches the value's own check.
    usageError(() => parseLocalArgs('invoke', ['h.js', '--timeout=-1']), /--timeout must be a number of seconds/);
    assert.equal(parseLocalArgs('invoke', ['--', '-odd-name.js']).file, '-odd-name.js');
    const serve = parseServeArgs(['-p', '0', '--resource', 'A', '--resource', 'B']);
    assert.ok(serve !== 'help');
    assert.deepEqual([serve.port, serve.resources], [0, ['A', 'B']]);
    const deployed = parseInvokeDeployedArgs(['-f', 'a', '--function', 'b', '-e', '-']);
    assert.ok(deployed !== 'help');
    assert.deepEqual([deployed.functionName, deployed.eventFile], ['b', '-'], 'the last --function wins; - is stdin, not a flag');
  });
});

describe('cli: parseLocalArgs', () => {
  it('reads every invoke flag', () => {
    const options = parseLocalArgs('invoke', ['h.js', '--handler', 'test', '--event', '-', '--times', '3', '--timeout', '2.5', '--memory', '256', '--env', 'A=1', '--env', 'B=x=y', '--no-freeze', '--json', '--node', '/usr/bin/node', '--retained', '--init-profile', '--runtime', 'nodejs22.x']);
    assert.deepEqual(options, {
      command: 'invoke', file: 'h.js', handler: 'test', event: '-', times: 3, timeoutSeconds: 2.5, memoryMB: 256,
      env: { A: '1', B: 'x=y' }, freeze: false, json: true, retained: true, initProfile: true, parallel: 1, maxEnvironments: 10, nodePath: '/usr/bin/node', runtime: 'nodejs22.x', template: undefined, resource: undefined, help: false,
    });
  });
  it('reads --parallel and --max-environments, with the times they imply', () => {
    const invoke = parseLocalArgs('invoke', ['h.js', '--parallel', '3', '--max-environments=4']);
    assert.deepEqual([invoke.parallel, invoke.maxEnvironments, invoke.times], [3, 4, 3], 'invoke: one round of N');
    assert.deepEqual([parseLocalArgs('check', ['h.js', '--parallel', '2']).times, parseLocalArgs('check', ['h.js', '--parallel', '2', '--times', '6']).times], [10, 6], 'check: 5 per environment, at least 3');
    assert.equal(parseLocalArgs('invoke', ['h.js', '--parallel', '2', '--times', '9']).times, 9);
    assert.deepEqual([parseLocalArgs('invoke', ['h.js']).parallel, parseLocalArgs('invoke', ['h.js']).maxEnvironments], [1, 10]);
  });
  it('refuses --parallel and --max-environments values that cannot work (exit 2)', () => {
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', '0']), /--parallel must be between 1 and 1000, got 0/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', '1.5']), /--parallel must be a whole number, got "1\.5"/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', 'two']), /--parallel must be a whole number/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel']), /--parallel needs a value/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', '1001']), /between 1 and 1000/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--max-environments', '0']), /--max-environments must be between 1 and 1000, got 0/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--max-environments', '-1']), /ambiguous/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--max-environments=-1']), /--max-environments must be a whole number/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', '4', '--times', '2']), /--times 2 is fewer than --parallel 4/);
    usageError(() => parseLocalArgs('check', ['a.js', '--parallel', '2', '--times', '5']), /check --parallel 2 needs --times 6 or more/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--parallel', '2', '--retained']), /--retained cannot be combined with --parallel/);
  });
  it('has the documented defaults', () => {
    const invoke = parseLocalArgs('invoke', ['h.js']);
    assert.equal(invoke.times, 1);
    assert.equal(invoke.freeze, true);
    assert.equal(invoke.json, false);
    assert.deepEqual(invoke.env, {});
    assert.equal(parseLocalArgs('check', ['h.js']).times, 5);
    assert.equal(parseLocalArgs('invoke', ['--help']).help, true);
  });
  it('refuses bad usage with a clear message', () => {
    usageError(() => parseLocalArgs('invoke', []), /needs the handler file/);
    usageError(() => parseLocalArgs('invoke', ['a.js', 'b.js']), /one handler file/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--bogus']), /Unknown option '--bogus'/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--times']), /--times/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--times', '0']), /between 1 and/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--times', '2x']), /whole number/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--timeout', '-1']), /--timeout/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--memory', '64']), /between 128 and 10240/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--env', 'NOVALUE']), /NAME=VALUE/);
    // check --json prints one summary object (Managed Instances issue).
    assert.equal(parseLocalArgs('check', ['a.js', '--json']).json, true);
    usageError(() => parseLocalArgs('check', ['a.js', '--workers', '2']), /--workers needs --concurrency/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--in-flight', '2']), /--in-flight needs --concurrency/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--concurrency', '2', '--parallel', '2']), /cannot be combined with --parallel/);
    usageError(() => parseLocalArgs('check', ['a.js', '--concurrency', '2', '--retained']), /--retained cannot be combined with --concurrency/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--concurrency', '0']), /between 1 and/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--concurrency', '2', '--workers', '65']), /between 1 and 64/);
    assert.deepEqual(parseLocalArgs('invoke', ['a.js', '--concurrency', '8', '--workers', '2', '--in-flight', '4']).managed, { concurrency: 8, workers: 2, inFlight: 4 });
    // invoke runs one round of what is kept in flight; check five.
    assert.equal(parseLocalArgs('invoke', ['a.js', '--concurrency', '8']).times, 8);
    assert.equal(parseLocalArgs('check', ['a.js', '--concurrency', '8', '--in-flight', '4']).times, 20);
    // check with fewer than three invocations could never see growth, so it could never fail.
    usageError(() => parseLocalArgs('check', ['a.js', '--times', '2']), /between 3 and/);
    assert.equal(parseLocalArgs('check', ['a.js', '--times', '3']).times, 3);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--template', 't.yaml']), /--template needs --resource/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--resource', 'Fn']), /either a handler file or --resource/);
    usageError(() => parseLocalArgs('invoke', ['--resource', 'Fn', '--handler', 'x']), /--handler cannot be used with --resource/);
    usageError(() => parseLocalArgs('invoke', ['a.js', '--runtime', 'nodejs18.x']), /Unknown runtime 'nodejs18\.x': supported runtimes are nodejs20\.x, nodejs22\.x, nodejs24\.x/);
    usageError(() => parseLocalArgs('check', ['a.js', '--runtime', '']), /--runtime needs a value/);
  });
  it('takes the file from the template with --resource', () => {
    const options = parseLocalArgs('invoke', ['--template', 'template.yaml', '--resource', 'HelloFunction']);
    assert.equal(options.file, '');
    assert.equal(options.resource, 'HelloFunction');
  });
  it('parseEnv keeps values with = and refuses bad names', () => {
    assert.deepEqual(parseEnv(['A=', 'B=1=2']), { A: '', B: '1=2' });
    usageError(() => parseEnv(['1A=x']), /NAME=VALUE/);
  });
});

describe('cli: parseServeArgs', () => {
  it('parses serve with a file, handler and name', () => {
    const options = parseServeArgs(['serve', '--port', '0', 'src/app.js', '--handler', 'test', '--memory=256'], '/p');
    assert.deepEqual(options, {
      port: 0,
      functions: [{ name: 'app', file: '/p/src/app.js', handlerExport: 'test' }],
      memoryMB: 256,
      timeoutSeconds: 3,
      resources: [],
      allowAnyCredentials: false,
      maxEnvironments: 10,
    });
  });

  it('parses --max-environments for every served function and refuses what cannot work', () => {
    const options = parseServeArgs(['a.js', '--max-environments', '3'], '/p');
    assert.ok(options !== 'help');
    assert.equal(options.maxEnvironments, 3);
    assert.throws(() => parseServeArgs(['a.js', '--max-environments', '0']), /--max-environments must be between 1 and 1000, got 0/);
    assert.throws(() => parseServeArgs(['a.js', '--max-environments', 'many']), /--max-environments must be a whole number/);
  });

  it('parses --runtime for every served function and refuses an unknown one', () => {
    const options = parseServeArgs(['a.js', '--handler', 'h', '--runtime', 'nodejs24.x'], '/p');
    assert.ok(options !== 'help');
    assert.equal(options.runtime, 'nodejs24.x');
    assert.throws(() => parseServeArgs(['a.js', '--runtime', 'nodejs16.x']), /Unknown runtime 'nodejs16\.x': supported runtimes are nodejs20\.x, nodejs22\.x, nodejs24\.x/);
  });

  it('parses --allow-any-credentials, a switch', () => {
    const options = parseServeArgs(['a.js', '--allow-any-credentials']);
    assert.ok(options !== 'help');
    assert.equal(options.allowAnyCredentials, true);
    assert.throws(() => parseServeArgs(['a.js', '--allow-any-credentials=yes']), CliUsageError);
  });

  it('parses template resources to serve', () => {
    const options = parseServeArgs(['--template', 'template.yaml', '--resource', 'A', '--resource', 'B']);
    assert.ok(options !== 'help');
    assert.deepEqual([options.template, options.resources, options.functions], ['template.yaml', ['A', 'B'], []]);
    assert.throws(() => parseServeArgs(['--template', 'template.yaml']), /--template goes with --resource/);
  });

  it('parses repeated --function NAME=FILE:EXPORT', () => {
    const options = parseServeArgs(['--function', 'a=x/a.js:handler', '--function', 'b=b.mjs:nested.fn'], '/p');
    assert.ok(options !== 'help');
    assert.deepEqual(options.functions.map((f) => [f.name, f.file, f.handlerExport]), [
      ['a', '/p/x/a.js', 'handler'],
      ['b', '/p/b.mjs', 'nested.fn'],
    ]);
    assert.equal(options.port, 3001);
  });

  it('rejects bad serve input with a CliUsageError', () => {
    assert.throws(() => parseServeArgs([]), /nothing to serve/);
    assert.throws(() => parseServeArgs(['a.js', '--bogus']), CliUsageError);
    assert.throws(() => parseServeArgs(['a.js', '--port', '70000']), /between 0 and 65535/);
    assert.throws(() => parseServeArgs(['--function', 'bad name=a.js:h']), /not valid in Lambda/);
    assert.throws(() => parseServeArgs(['--function', 'a=a.js:h', '--function', 'a=b.js:h']), /given twice/);
    assert.throws(() => parseServeArgs(['a.js', '--port']), /needs a value/);
    assert.equal(parseServeArgs(['-h']), 'help');
  });
});

describe('cli: parseInvokeDeployedArgs', () => {
  it('parses invoke --function with connection options', () => {
    const options = parseInvokeDeployedArgs(
      ['invoke', '--function', 'fn', '--qualifier', 'live', '--region', 'eu-west-1', '--profile', 'dev', '--endpoint-url', 'http://127.0.0.1:3001', '--event', 'e.json', '--times', '3', '--json'],
      '/p',
    );
    assert.deepEqual(options, {
      functionName: 'fn',
      qualifier: 'live',
      region: 'eu-west-1',
      profile: 'dev',
      endpointUrl: 'http://127.0.0.1:3001',
      eventFile: '/p/e.json',
      times: 3,
      json: true,
      action: 'invoke',
      yes: false,
    });
  });

  it('parses probe actions and rejects contradictions', () => {
    const attach = parseInvokeDeployedArgs(['--function', 'fn', '--attach-probe', '--yes']);
    assert.ok(attach !== 'help');
    assert.equal(attach.action, 'attach-probe');
    assert.equal(attach.yes, true);
    assert.throws(() => parseInvokeDeployedArgs(['--function', 'fn', '--attach-probe', '--detach-probe']), /choose one/);
    assert.throws(() => parseInvokeDeployedArgs(['--times', '2']), /--function NAME is required/);
    assert.throws(() => parseInvokeDeployedArgs(['--function', 'fn', '--times', '0']), /between 1 and 1000/);
    assert.throws(() => parseInvokeDeployedArgs(['--function', 'fn', '--endpoint-url', 'localhost:3001']), /http\(s\) URL/);
    assert.throws(() => parseInvokeDeployedArgs(['handler.js', '--function', 'fn']), /not a file/);
  });
});

/** A CliIO that records output and never touches the real terminal. */
function fakeIO(cwd: string, stdin = ''): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (text: string) => { io.out += text; } },
    stderr: { write: (text: string) => { io.err += text; } },
    readStdin: async () => stdin,
    cwd,
    env: {},
    layout: { width: 120, color: false },
  };
  return io;
}

describe('cli: main dispatch without running handlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warm-cli-'));
  writeFileSync(join(dir, 'two.js'), 'exports.alpha = async (event) => event;\nexports.beta = async (event) => event;\n');
  writeFileSync(join(dir, 'bad.json'), '{"a": 1,}');

  it('--help and --version exit 0', async () => {
    const help = fakeIO(dir);
    assert.equal(await main(['--help'], help), 0);
    assert.match(help.out, /warm-state invoke <file>/);
    assert.match(help.out, /--no-freeze/);
    const version = fakeIO(dir);
    assert.equal(await main(['--version'], version), 0);
    assert.match(version.out, /^\d+\.\d+\.\d+\n$/);
  });
  it('no command, an unknown command or an unknown flag exit 2', async () => {
    const none = fakeIO(dir);
    assert.equal(await main([], none), 2);
    assert.match(none.err, /Usage:/);
    const unknown = fakeIO(dir);
    assert.equal(await main(['frobnicate'], unknown), 2);
    assert.match(unknown.err, /unknown command "frobnicate"/);
    const flag = fakeIO(dir);
    assert.equal(await main(['invoke', 'two.js', '--wat'], flag), 2);
    assert.match(flag.err, /Unknown option '--wat'/);
  });
  it('a missing file exits 2', async () => {
    const io = fakeIO(dir);
    assert.equal(await main(['invoke', 'nope.js'], io), 2);
    assert.match(io.err, /no such file: nope\.js/);
  });
  it('an ambiguous handler exits 2 listing the candidates', async () => {
    const io = fakeIO(dir);
    assert.equal(await main(['invoke', 'two.js'], io), 2);
    assert.match(io.err, /candidates: alpha, beta/);
    assert.match(io.err, /--handler/);
  });
  it('invalid event JSON exits 2 with line and column, before anything runs', async () => {
    const io = fakeIO(dir);
    assert.equal(await main(['invoke', 'two.js', '--handler', 'alpha', '--event', 'bad.json'], io), 2);
    assert.match(io.err, /the event file bad\.json is not valid JSON: trailing comma before } at line 1, column 9/);
    const stdin = fakeIO(dir, 'nope');
    assert.equal(await main(['check', 'two.js', '--handler', 'alpha', '--event', '-'], stdin), 2);
    assert.match(stdin.err, /the event on stdin is not valid JSON/);
    const missing = fakeIO(dir);
    assert.equal(await main(['invoke', 'two.js', '--handler', 'alpha', '--event', 'missing.json'], missing), 2);
    assert.match(missing.err, /cannot read the event file missing\.json/);
  });
});

describe('cli: the invoke command suggested after attaching the probe', () => {
  it('keeps the endpoint, profile, region and version, quoted for a POSIX shell where needed', () => {
    assert.equal(invokeCommandFor({ functionName: 'orders' }), 'warm-state invoke --function orders');
    assert.equal(
      invokeCommandFor({ functionName: 'orders', qualifier: 'live', region: 'eu-west-1', profile: "dev's box", endpointUrl: 'http://127.0.0.1:3001' }),
      `warm-state invoke --function orders --qualifier live --region eu-west-1 --profile 'dev'\\''s box' --endpoint-url http://127.0.0.1:3001`,
    );
  });
});
