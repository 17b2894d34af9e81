/**
 * Characterisation of the two value previews: what the CLI prints for a captured value
 * (util.inspect style) and what the panel shows (its one-line preview and the rows below an
 * expanded value), over every ValueNode type of the snapshot contract.
 *
 * test/fixtures/previews/nodes.json: most nodes were made once by the serializer from real
 * values (Map/Set/class instances, cycles, shared references, accessors, depth and item
 * limits, long strings, buffers), the rest written by hand (a TDZ binding, promise results,
 * depth-limit stand-ins, and malformed nodes the panel must survive).
 * test/fixtures/previews/expected.json: what each surface printed for them when the two
 * formatters were still separate. A difference is a change users see: edit expected.json by
 * hand when it is meant, never regenerate it to make a refactoring pass.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValueNode } from '../../src/core/model/snapshot';
import { previewValue } from '../../src/core/model/preview';
import { childrenOf } from '../../media/src/value-model';

/** The CLI's preview of a value in `width` columns. */
const inspectSurface = (node: ValueNode, width: number): string => previewValue(node, 'inspect', width);
/** The panel's preview of a value in about `budget` characters. */
const panelSurface = (node: ValueNode, budget: number): string => previewValue(node, 'panel', budget);

interface Expected {
  budgets: { inspect: number[]; panel: number[] };
  cases: Record<string, { inspect?: string[]; panel: string[]; panelChildren: string[] }>;
}

const dir = join(__dirname, '..', 'fixtures', 'previews');
const nodes = JSON.parse(readFileSync(join(dir, 'nodes.json'), 'utf8')) as Record<string, ValueNode>;
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;

/** The rows the panel shows below an expanded value, long lists sampled at both ends. */
function panelRows(node: ValueNode): string[] {
  const rows = childrenOf(node).map((child) =>
    child.kind === 'value' ? `${child.name} = ${panelSurface(child.value, 80)}` : child.kind === 'note' ? `(${child.text})` : `range ${child.name}`,
  );
  return rows.length > 8 ? [...rows.slice(0, 6), `… ${rows.length - 8} rows …`, ...rows.slice(-2)] : rows;
}

describe('value previews: CLI and panel output pinned over every node type', () => {
  it('has an expectation for every node and covers every ValueNode type', () => {
    assert.deepEqual(Object.keys(expected.cases), Object.keys(nodes));
    const all: Record<ValueNode['type'], true> = {
      string: true, number: true, bigint: true, boolean: true, undefined: true, null: true, symbol: true, array: true,
      object: true, map: true, set: true, function: true, date: true, regexp: true, error: true, binary: true, promise: true,
      proxy: true, weak: true, ref: true, accessor: true, uninitialized: true, 'depth-limit': true,
    };
    const covered = new Set<string>();
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      if (typeof (value as { type?: unknown }).type === 'string') covered.add((value as { type: string }).type);
      for (const inner of Object.values(value)) walk(inner);
    };
    for (const [name, node] of Object.entries(nodes)) if (!name.startsWith('malformed')) walk(node);
    assert.deepEqual(Object.keys(all).filter((type) => !covered.has(type as ValueNode['type'])), []);
  });

  for (const [name, node] of Object.entries(nodes)) {
    const want = expected.cases[name];
    it(name, () => {
      // Malformed nodes never reach the CLI (its records come from its own engine); the panel must survive them.
      if (want.inspect) {
        assert.deepEqual(expected.budgets.inspect.map((width) => inspectSurface(node, width)), want.inspect, 'CLI');
      }
      assert.deepEqual(expected.budgets.panel.map((budget) => panelSurface(node, budget)), want.panel, 'panel preview');
      assert.deepEqual(panelRows(node), want.panelChildren, 'panel rows');
    });
  }
});
