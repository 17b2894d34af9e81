/**
 * One timeout range everywhere (issue 14, defect 9): 0.1 to 900 seconds on the command line
 * (invoke and serve), in the editor setting and in templates.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CliUsageError, parseLocalArgs } from '../../src/cli/args';
import { parseServeArgs } from '../../src/cli/commands/serve';
import { readServerless } from '../../src/core/config/serverless';
import { readTemplate } from '../../src/core/config/template';
import { checkTimeoutSeconds } from '../../src/core/lambda/timeout-range';
import { readSettings } from '../../src/vscode/settings';

const RANGE = /--timeout must be a number of seconds from 0\.1 to 900, got "/;

describe('timeout range: 0.1 to 900 seconds everywhere', () => {
  it('accepts plain decimal seconds in range and refuses the rest, naming the range', () => {
    for (const [text, seconds] of [['0.1', 0.1], ['.5', 0.5], ['3', 3], ['900', 900], [' 2.5 ', 2.5]] as const) assert.deepEqual(checkTimeoutSeconds(text), { seconds }, text);
    for (const text of ['1e-9', '0', '0.09', '900.5', '1e3', '0x10', 'Infinity', 'NaN', '', '-1', '3s']) {
      const checked = checkTimeoutSeconds(text);
      assert.ok('problem' in checked, text);
      assert.equal(checked.problem, `must be a number of seconds from 0.1 to 900, got ${JSON.stringify(text)}`);
    }
    assert.deepEqual(checkTimeoutSeconds(1e-9), { problem: 'must be a number of seconds from 0.1 to 900, got 1e-9' });
  });

  it('invoke and check refuse --timeout outside the range', () => {
    assert.equal(parseLocalArgs('invoke', ['h.js', '--timeout', '0.1']).timeoutSeconds, 0.1);
    for (const text of ['1e-9', '901', '0.05']) {
      assert.throws(() => parseLocalArgs('check', ['h.js', '--timeout', text]), (error: unknown) => error instanceof CliUsageError && RANGE.test(error.message));
    }
  });

  it('serve refuses --timeout outside the range and takes fractions in it', () => {
    const options = parseServeArgs(['h.js', '--timeout', '0.5'], '/p');
    assert.ok(options !== 'help');
    assert.equal(options.timeoutSeconds, 0.5);
    for (const text of ['1e-9', '901', '0']) {
      assert.throws(() => parseServeArgs(['h.js', '--timeout', text]), (error: unknown) => error instanceof CliUsageError && RANGE.test(error.message));
    }
  });

  it('the editor setting keeps to the same range', () => {
    const reader = (timeoutSeconds: unknown) => ({ get: (key: string) => (key === 'timeoutSeconds' ? timeoutSeconds : undefined), isExplicit: () => true });
    assert.deepEqual([1e-9, 0.1, 0.5, 5000].map((value) => readSettings(reader(value)).timeoutSeconds), [0.1, 0.1, 0.5, 900]);
  });

  it('templates: an out-of-range Timeout gets a warning and the default', async () => {
    const fixtures = join(__dirname, '..', 'fixtures', 'config');
    const template = [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      '      Handler: app.handler',
      '      Runtime: nodejs20.x',
      '      Timeout: 1e-9',
    ].join('\n');
    const sam = await readTemplate({ file: join(fixtures, 'virtual.yaml'), display: 'virtual.yaml', text: template }, {});
    assert.equal(sam.functions[0].timeoutSeconds, 3);
    assert.ok(sam.functions[0].problems.some((p) => p.severity === 'warning' && /Timeout must be a number of seconds from 0\.1 to 900, got 1e-9; the default is used\.$/.test(p.message)), JSON.stringify(sam.functions[0].problems));

    const serverless = ['service: s', 'provider:', '  name: aws', '  runtime: nodejs20.x', '  timeout: 1000', 'functions:', '  a:', '    handler: a.handler'].join('\n');
    const sls = await readServerless({ file: join(fixtures, 'virtual.yml'), display: 'virtual.yml', text: serverless }, {});
    assert.equal(sls.functions[0].timeoutSeconds, 6);
    assert.ok(sls.functions[0].problems.some((p) => /timeout must be a number of seconds from 0\.1 to 900, got 1000; the default is used\.$/.test(p.message)), JSON.stringify(sls.functions[0].problems));
  });
});
