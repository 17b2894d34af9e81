import assert from 'node:assert/strict';
import { planFunctionSites, scriptRefusal, type CaptureSite } from '../../src/core/runtime/instrument/capture-sites';
import { findFunctionAt, lineStarts, parseAny, toOffset, type SourcePosition } from '../../src/core/runtime/instrument/handler-exits';
import { hooksNameFrom } from '../../src/core/runtime/child/services/runtime-globals';

const HOOKS = hooksNameFrom(new Uint8Array(16).fill(1));

/** The sites of the function starting at `location`, or why there are none (as frame-instrument.ts plans them). */
function planCaptureSites(source: string, location: SourcePosition): { sites: CaptureSite[] | null; error: string | null } {
  const root = parseAny(source);
  assert.ok(root, 'the source parses');
  const starts = lineStarts(source);
  const fn = findFunctionAt(root, toOffset(starts, location));
  assert.ok(fn, 'a function starts at the location');
  const refusal = scriptRefusal(root, HOOKS);
  return refusal ? { sites: null, error: refusal } : { sites: planFunctionSites(fn, starts).sites, error: null };
}

const describeSite = (site: CaptureSite): string =>
  `${site.reason}@${site.position.lineNumber}:${site.position.columnNumber} [${site.bindings.map((b) => `${b.name}:${b.kind}`).join(' ')}] tdz[${site.uninitialized.join(' ')}]`;

describe('runtime: capture sites (planFunctionSites)', () => {
  const source = [
    'exports.handler = async (event, { a }) => {', // 0
    '  const label = 1;', // 1
    '  if (event.x) {', // 2
    '    const label = 2;', // 3
    '    return label;', // 4
    '    let later = 3;', // 5
    '  }', // 6
    '  try { throw new Error(); } catch (caught) { let inner = caught; throw inner; }', // 7
    '  for (const item of [1]) { work(item); }', // 8
    '  var hoisted = 4;', // 9
    '};', // 10
  ].join('\n');

  it('lists the bindings visible at each site: innermost first, shadowed names dropped, parameters last', () => {
    const plan = planCaptureSites(source, { lineNumber: 0, columnNumber: 18 });
    assert.equal(plan.error, null);
    assert.deepEqual(plan.sites?.map(describeSite), [
      'exit@4:4 [label:block later:block hoisted:local event:parameter a:parameter] tdz[later]',
      'exit@10:0 [label:local hoisted:local event:parameter a:parameter] tdz[]',
      'throw@7:8 [label:local hoisted:local event:parameter a:parameter] tdz[]',
      'throw@7:66 [inner:block caught:catch label:local hoisted:local event:parameter a:parameter] tdz[]',
      'statement@1:2 [label:local hoisted:local event:parameter a:parameter] tdz[label]',
      'statement@2:2 [label:local hoisted:local event:parameter a:parameter] tdz[]',
      'statement@3:4 [label:block later:block hoisted:local event:parameter a:parameter] tdz[label later]',
      'statement@5:4 [label:block later:block hoisted:local event:parameter a:parameter] tdz[later]',
      'statement@7:46 [inner:block caught:catch label:local hoisted:local event:parameter a:parameter] tdz[inner]',
      // The loop is recorded once; nothing inside it is (it would cost once per iteration).
      'statement@8:2 [label:local hoisted:local event:parameter a:parameter] tdz[]',
      'statement@9:2 [label:local hoisted:local event:parameter a:parameter] tdz[]',
    ]);
    const inCatch = plan.sites?.find((site) => site.position.lineNumber === 7 && site.reason === 'throw' && site.position.columnNumber === 66);
    // In a statement list: the hook goes right before it, no block needed.
    assert.deepEqual(inCatch?.insert, { placement: 'statement', start: source.split('\n').slice(0, 7).join('\n').length + 1 + 66, wrapEnd: null });
    const end = plan.sites?.find((site) => site.insert.placement === 'body-end');
    assert.equal(end?.insert.start, source.lastIndexOf('}'));
  });

  it('lists arguments for a function that reads it, and the body of an expression arrow', () => {
    const fn = planCaptureSites('function h(e) { var n = arguments.length; return n; }', { lineNumber: 0, columnNumber: 0 });
    assert.deepEqual(fn.sites?.[0]?.bindings, [{ name: 'n', kind: 'local' }, { name: 'arguments', kind: 'local' }, { name: 'e', kind: 'parameter' }]);
    const arrow = planCaptureSites('const f = (x) => x + 1;', { lineNumber: 0, columnNumber: 10 });
    assert.deepEqual(arrow.sites?.map(describeSite), ['exit@0:17 [x:parameter] tdz[]']);
  });

  it('does not record a statement after one that leaves the bindings as they were', () => {
    const lines = [
      'async function h(e) {', // 0
      '  let n = 0;', // 1
      '  log(n); log(e);', // 2: the first after a declaration; the second covered by it
      '  n += 1;', // 3: covered (log() changed nothing)
      '  await log(n);', // 4: after an assignment
      '  log(n);', // 5: covered
      '}',
    ];
    const plan = planCaptureSites(lines.join('\n'), { lineNumber: 0, columnNumber: 0 });
    assert.deepEqual(plan.sites?.filter((site) => site.reason === 'statement').map((site) => `${site.position.lineNumber}:${site.position.columnNumber}`), ['1:2', '2:2', '4:2']);
    // A nested function that assigns makes every call a possible change.
    const closure = planCaptureSites('function h() { let n = 0; const bump = () => { n += 1; }; bump(); log(n); }', { lineNumber: 0, columnNumber: 0 });
    assert.equal(closure.sites?.filter((site) => site.reason === 'statement').length, 4);
  });

  it('wraps a site outside a statement list in a block, and puts the hook of a labelled statement before its labels', () => {
    const code = 'function h(a) { if (a) return 1; outer: inner: for (;;) { break outer; } }';
    const sites = planCaptureSites(code, { lineNumber: 0, columnNumber: 0 }).sites ?? [];
    const ret = sites.find((site) => site.reason === 'exit' && site.insert.placement === 'statement');
    assert.deepEqual(ret?.insert, { placement: 'statement', start: code.indexOf('return'), wrapEnd: code.indexOf('1;') + 2 });
    const loop = sites.find((site) => site.reason === 'statement' && site.position.columnNumber === code.indexOf('for'));
    assert.deepEqual(loop?.insert, { placement: 'statement', start: code.indexOf('outer:'), wrapEnd: null });
  });

  it('refuses scripts where a name read could reach user code', () => {
    assert.match(planCaptureSites('with (o) { exports.h = () => 1; }', { lineNumber: 0, columnNumber: 23 }).error ?? '', /with statement/);
    const declared = `const ${HOOKS} = 1; exports.h = () => 1;`;
    assert.equal(planCaptureSites(declared, { lineNumber: 0, columnNumber: declared.indexOf('()') }).error, `the handler script declares ${HOOKS}`);
    assert.equal(planCaptureSites('var __warmState = {}; exports.h = () => 1;', { lineNumber: 0, columnNumber: 34 }).error, null, 'the old fixed name is just a user variable');
    assert.equal(findFunctionAt(parseAny('const f = 1;') as NonNullable<ReturnType<typeof parseAny>>, 0), null, 'no function there: nothing to plan');
  });
});
