import assert from 'node:assert/strict';
import { parseServeArgs } from '../../src/cli/commands/serve';
import { parseInvokeDeployedArgs } from '../../src/cli/commands/invoke-deployed';
import { UsageError } from '../../src/cli/flags';

describe('remote CLI flags', () => {
  it('parses serve with a file, handler and name', () => {
    const options = parseServeArgs(['serve', '--port', '0', 'src/app.js', '--handler', 'test', '--memory=256'], '/p');
    assert.deepEqual(options, {
      port: 0,
      functions: [{ name: 'app', file: '/p/src/app.js', handlerExport: 'test' }],
      memoryMB: 256,
      timeoutSeconds: 3,
      resources: [],
    });
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

  it('rejects bad serve input with a UsageError', () => {
    assert.throws(() => parseServeArgs([]), /nothing to serve/);
    assert.throws(() => parseServeArgs(['a.js', '--bogus']), UsageError);
    assert.throws(() => parseServeArgs(['a.js', '--port', '70000']), /between 0 and 65535/);
    assert.throws(() => parseServeArgs(['--function', 'bad name=a.js:h']), /not valid in Lambda/);
    assert.throws(() => parseServeArgs(['--function', 'a=a.js:h', '--function', 'a=b.js:h']), /given twice/);
    assert.throws(() => parseServeArgs(['a.js', '--port']), /needs a value/);
    assert.equal(parseServeArgs(['-h']), 'help');
  });

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
