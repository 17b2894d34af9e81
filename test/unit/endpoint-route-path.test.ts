/** The endpoint's route path (a plain path skips URL parsing and must come out as URL parsing gives it) and its route table. */
import assert from 'node:assert/strict';
import { RouteTable, routePath, type Route } from '../../src/core/endpoint/router';

describe('endpoint route path', () => {
  const viaUrl = (rawPath: string) => new URL(rawPath, 'http://127.0.0.1').pathname;

  it('gives what WHATWG URL parsing gives, plain or not', () => {
    const paths = [
      '/2015-03-31/functions/my-function/invocations',
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn/invocations',
      "/2015-03-31/functions/a_b~c!$&'()*+,;=:@/configuration",
      '/2018-10-31/layers/layer/versions/1',
      '/a//b/',
      '/',
      '',
      '/%zz/%2F..%2F',
      '/2015-03-31/functions/x/../y/invocations',
      '/2015-03-31/functions/./x/invocations',
      '/2015-03-31\\functions\\x\\invocations',
      '//evil.example/2015-03-31/functions/x/invocations',
      'http://127.0.0.1/2015-03-31/functions/x/invocations',
      '/functions/caf\u00e9/invocations',
      '/functions/a b/invocations',
      '/functions/a"b<c>d`e{f}g/invocations',
      '/functions/a#b/invocations',
      '/functions/a\tb/invocations',
      '/functions/.%2e/x',
      '/a/%2e%2e/b',
      '/a/%2E/b',
      '/a/%2e',
      '/a/%2E%2e/',
      '/a/b%2ec/d',
    ];
    for (const rawPath of paths) assert.equal(routePath(rawPath), viaUrl(rawPath), JSON.stringify(rawPath));
  });

  it('keeps an ordinary path as it is, resolves a dot segment (plain or encoded) and drops a //host form', () => {
    assert.equal(routePath('/2015-03-31/functions/fn/invocations'), '/2015-03-31/functions/fn/invocations');
    assert.equal(routePath('/2015-03-31/functions/x/../y/invocations'), '/2015-03-31/functions/y/invocations');
    assert.equal(routePath('/2015-03-31/functions/x/%2e%2E/y/invocations'), '/2015-03-31/functions/y/invocations');
    assert.equal(routePath('//evil.example/2015-03-31/functions/x/invocations'), '/2015-03-31/functions/x/invocations');
  });

  it('gives null, not an exception, for a target URL parsing refuses', () => {
    for (const rawPath of ['//', '/// ', '//[', '//x:99999/', '//[/2015-03-31/functions/x/invocations']) {
      assert.throws(() => new URL(rawPath, 'http://127.0.0.1'), TypeError, JSON.stringify(rawPath));
      assert.equal(routePath(rawPath), null, JSON.stringify(rawPath));
    }
  });
});

describe('endpoint route table', () => {
  const route = (method: string, pattern: string): Route<string> => ({ method, pattern, action: 'lambda:Test', resource: () => '', handle: async () => pattern });
  const invoke = route('POST', '/2015-03-31/functions/{name}/invocations');
  const configuration = route('GET', '/2015-03-31/functions/{name}/configuration');
  const getFunction = route('GET', '/2015-03-31/functions/{name}');
  const table = new RouteTable([invoke, configuration, getFunction]);

  it('matches method and literal segments, and decodes what a capture takes', () => {
    assert.deepEqual(table.match('POST', '/2015-03-31/functions/fn/invocations'), { route: invoke, params: { name: 'fn' } });
    assert.deepEqual(table.match('GET', '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Afn'), {
      route: getFunction,
      params: { name: 'arn:aws:lambda:us-east-1:1:function:fn' },
    });
    assert.deepEqual(table.match('GET', '/2015-03-31/functions/fn/configuration'), { route: configuration, params: { name: 'fn' } });
  });

  it('matches on non-empty segments, so doubled and trailing slashes change nothing', () => {
    assert.deepEqual(table.match('POST', '//2015-03-31//functions/fn/invocations/'), { route: invoke, params: { name: 'fn' } });
  });

  it('answers null for another method, another segment count, another literal or a capture that does not decode', () => {
    assert.equal(table.match('GET', '/2015-03-31/functions/fn/invocations'), null);
    assert.equal(table.match('POST', '/2015-03-31/functions/fn/invocations/extra'), null);
    assert.equal(table.match('POST', '/2015-03-31/function/fn/invocations'), null);
    assert.equal(table.match('POST', '/2015-03-31/functions/%E0%A4%A/invocations'), null);
    assert.equal(table.match('GET', '/'), null);
  });
});
