/**
 * `npm run test:oracle`: every case of the corpus runs in Warm State's local environment and
 * under the real Lambda runtime interface client of each of its profiles (3.3.0 for nodejs20.x
 * and nodejs22.x, 4.0.2 for nodejs24.x, each on its Node), and both must give the same
 * outcome per invocation: response, errorType, errorMessage, init versus invoke failure, cold
 * or warm (module state shows in the responses). Differences are written, both sides in full,
 * to test-artifacts/oracle/mismatches.md (and .json) as well as failing the case.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clientInstalled, CLIENTS, type ClientVersion, type OracleProfile } from '../../scripts/oracle/clients';
import { CORPUS } from './corpus';
import { differenceKey, KNOWN_DIFFERENCES } from './known-differences';
import { localRuntimeDirs, runLocal } from './local-side';
import { normaliseOutcome, type InvocationOutcome, type OracleCase } from './outcome';
import { realRuntimeDirs, runReal } from './real-side';

const ROOT = resolve(__dirname, '../..');
const REPORT_DIR = join(ROOT, 'test-artifacts', 'oracle');

interface Comparison {
  testCase: string;
  handler: string;
  profile: OracleProfile;
  events: unknown[];
  local: InvocationOutcome[];
  real: InvocationOutcome[];
}

const comparisons: Comparison[] = [];

function sameOutcomes(comparison: Comparison): boolean {
  try {
    assert.deepStrictEqual(comparison.local, comparison.real);
    return true;
  } catch {
    return false;
  }
}

function writeReport(): void {
  mkdirSync(REPORT_DIR, { recursive: true });
  const mismatches = comparisons.filter((c) => !sameOutcomes(c));
  writeFileSync(join(REPORT_DIR, 'mismatches.json'), `${JSON.stringify(mismatches, null, 2)}\n`);
  const lines = [
    `# Differential suite: ${mismatches.length} of ${comparisons.length} case x profile runs differ`,
    '',
    'Normalised outcomes per invocation (outcome.ts says what is normalised).',
    '',
  ];
  for (const m of mismatches) {
    lines.push(`## ${m.testCase} [${m.profile}]`, '', `Handler \`${m.handler}\`, events ${JSON.stringify(m.events)}`, '');
    m.real.forEach((real, i) => {
      const local = m.local[i];
      const same = JSON.stringify(local) === JSON.stringify(real);
      lines.push(`- invocation ${i + 1}${same ? ' (same)' : ''}`, `  - real:  \`${JSON.stringify(real)}\``, `  - local: \`${JSON.stringify(local)}\``);
    });
    lines.push('');
  }
  writeFileSync(join(REPORT_DIR, 'mismatches.md'), `${lines.join('\n')}\n`);
}

async function compare(testCase: OracleCase, profile: OracleProfile): Promise<Comparison> {
  // One after the other: two runtimes at once would compete for the same cores and timers.
  const local = await runLocal(ROOT, testCase, profile);
  const real = await runReal(ROOT, testCase, profile);
  return {
    testCase: testCase.name,
    handler: testCase.handler,
    profile,
    events: testCase.events,
    local: local.map((o) => normaliseOutcome(o, { taskRoot: testCase.taskRoot, runtimeDirs: localRuntimeDirs(ROOT) })),
    real: real.map((o) => normaliseOutcome(o, { taskRoot: testCase.taskRoot, runtimeDirs: realRuntimeDirs(ROOT, profile) })),
  };
}

describe('differential: local environment versus the real runtime interface client', function () {
  this.timeout(60_000);

  before(() => {
    const missing = (Object.keys(CLIENTS) as ClientVersion[]).filter((version) => !clientInstalled(ROOT, version));
    if (missing.length > 0) {
      throw new Error(`aws-lambda-ric ${missing.join(', ')} not built: run \`node scripts/oracle/install-clients.mjs\` (npm run test:oracle does).`);
    }
  });
  after(writeReport);
  after(() => {
    // A known difference whose case is gone from the corpus is a stale entry.
    const runs = new Set(CORPUS.flatMap((c) => c.profiles.map((p) => differenceKey(c.name, p))));
    const stale = [...KNOWN_DIFFERENCES.keys()].filter((key) => !runs.has(key));
    assert.deepEqual(stale, [], 'known differences that name no case of the corpus');
  });

  for (const testCase of CORPUS) {
    for (const profile of testCase.profiles) {
      const known = KNOWN_DIFFERENCES.get(differenceKey(testCase.name, profile));
      it(`${testCase.name} [${profile}]${known ? ' (known difference)' : ''}`, async () => {
        const comparison = await compare(testCase, profile);
        comparisons.push(comparison);
        if (known) {
          assert.notDeepStrictEqual(comparison.local, comparison.real, `now the same as the real client: take it off test/oracle/known-differences.ts (${known})`);
          return;
        }
        assert.deepStrictEqual(comparison.local, comparison.real, 'local (actual) versus the real client (expected)');
      });
    }
  }
});
