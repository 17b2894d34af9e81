import { strict as assert } from 'node:assert';
import { detectHandlers } from '../../src/core/handlers/detect';
import { handlerAt, markDeclaredHandlers, pickDefaultHandler } from '../../src/core/handlers/pick';
import type { HandlerCandidate } from '../../src/core/handlers/types';

function candidate(exportName: string, confidence: HandlerCandidate['confidence'], line = 1): HandlerCandidate {
  return { exportName, line, column: 0, params: 1, shape: 'function', confidence };
}

function picked(result: ReturnType<typeof pickDefaultHandler>): string {
  if ('error' in result) throw new Error(`expected a handler, got error: ${result.error}`);
  return result.handler.exportName;
}

describe('pickDefaultHandler', () => {
  it('uses the explicit export when present', () => {
    assert.equal(picked(pickDefaultHandler([candidate('handler', 'likely'), candidate('test', 'likely')], 'test')), 'test');
  });

  it('explains a missing explicit export and lists the candidates', () => {
    const result = pickDefaultHandler([candidate('a', 'likely'), candidate('b', 'possible')], 'nope');
    assert.ok('error' in result);
    assert.match(result.error, /No export named "nope"/);
    assert.match(result.error, /a, b/);
    assert.deepEqual(result.candidates, ['a', 'b']);
  });

  it('takes the only candidate, whatever its confidence', () => {
    assert.equal(picked(pickDefaultHandler([candidate('test', 'possible')])), 'test');
  });

  it('prefers the one certain, then the one likely candidate', () => {
    assert.equal(picked(pickDefaultHandler([candidate('a', 'likely'), candidate('b', 'certain'), candidate('c', 'likely')])), 'b');
    assert.equal(picked(pickDefaultHandler([candidate('a', 'possible'), candidate('b', 'likely')])), 'b');
  });

  it('falls back to the export named handler', () => {
    assert.equal(picked(pickDefaultHandler([candidate('a', 'likely'), candidate('handler', 'likely')])), 'handler');
    assert.equal(picked(pickDefaultHandler([candidate('a', 'possible'), candidate('handler', 'possible')])), 'handler');
  });

  it('errors when several are equally likely, listing them', () => {
    const result = pickDefaultHandler([candidate('a', 'likely'), candidate('b', 'likely'), candidate('c', 'possible')]);
    assert.ok('error' in result);
    assert.match(result.error, /a, b/);
    assert.deepEqual(result.candidates, ['a', 'b', 'c']);
  });

  it('errors clearly for a file without candidates', () => {
    const result = pickDefaultHandler([]);
    assert.ok('error' in result);
    assert.match(result.error, /exports no functions/);
    assert.deepEqual(result.candidates, []);
  });
});

describe('handlerAt', () => {
  const src = [
    'const base = async (event) => {', // 1
    '  return event;', // 2
    '};', // 3
    '', // 4
    'exports.first = async (event) => {', // 5
    '  return 1;', // 6
    '};', // 7
    '', // 8
    'function second(e) {', // 9
    '  return 2;', // 10
    '}', // 11
    'module.exports.second = second;', // 12
  ].join('\n');
  const candidates = detectHandlers(src, 'h.js');

  it('finds the handler whose function contains the line', () => {
    assert.equal(handlerAt(candidates, 6)?.exportName, 'first');
    assert.equal(handlerAt(candidates, 5)?.exportName, 'first');
    assert.equal(handlerAt(candidates, 10)?.exportName, 'second');
    assert.equal(handlerAt(candidates, 12)?.exportName, 'second');
  });

  it('returns undefined outside every handler', () => {
    assert.equal(handlerAt(candidates, 2), undefined);
    assert.equal(handlerAt(candidates, 8), undefined);
    assert.equal(handlerAt([], 1), undefined);
  });

  it('prefers the smallest containing range', () => {
    const outer: HandlerCandidate = { ...candidate('outer', 'likely', 1), endLine: 20 };
    const inner: HandlerCandidate = { ...candidate('inner', 'likely', 5), endLine: 7 };
    assert.equal(handlerAt([outer, inner], 6)?.exportName, 'inner');
    assert.equal(handlerAt([outer, inner], 10)?.exportName, 'outer');
  });
});

describe('markDeclaredHandlers', () => {
  it('marks declared exports certain without mutating the input', () => {
    const input = [candidate('a', 'possible'), candidate('b', 'likely')];
    const output = markDeclaredHandlers(input, ['a']);
    assert.deepEqual(output.map((c) => c.confidence), ['certain', 'likely']);
    assert.equal(input[0].confidence, 'possible');
  });
});
