/**
 * The deployed probe under the real runtime interface client, loaded the way Lambda loads it:
 * the probe layer (built from dist/child as `warm-state probe attach` publishes it) extracted
 * into a folder standing in for /opt, AWS_LAMBDA_EXEC_WRAPPER naming its wrapper script, the
 * client of each profile on that profile's Node. With the probe attached a function must
 * answer exactly as without it (same normalised outcomes per invocation), and every invocation
 * that ran the handler must log one decodable probe line with the module scope.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clientInstalled, CLIENTS, type ClientVersion, type OracleProfile } from '../../scripts/oracle/clients';
import { decodeProbeLine, type ProbeSnapshot } from '../../src/core/deployed/probe/probe-line';
import { buildProbeLayer, PROBE_WRAPPER_PATH } from '../../src/core/deployed/probe/probe-layer';
import { UNZIPPED_LIMIT, unzip } from '../../src/core/lambda/zip';
import type { CapturedVariable } from '../../src/core/model/snapshot';
import { normaliseOutcome, type InvocationOutcome, type OracleCase } from './outcome';
import { realRuntimeDirs, runRealResults, toOutcome } from './real-side';

const ROOT = resolve(__dirname, '../..');
const CASES = resolve(__dirname, 'fixtures/cases');
const RIC_HANDLERS = resolve(__dirname, 'fixtures/ric/handlers');
const PROBE_TARGET = resolve(__dirname, '../fixtures/remote/probe-target');
const PROFILES: readonly OracleProfile[] = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

/** Handlers whose behaviour differs most between the clients: the probe must not change any of it. */
const CASES_UNDER_PROBE: Omit<OracleCase, 'profiles'>[] = [
  { name: 'module state that grows', taskRoot: PROBE_TARGET, handler: 'handler.handler', events: [{}, {}, {}] },
  { name: 'sync return', taskRoot: CASES, handler: 'sync-return.oneParameter', events: [{ a: 1 }, { a: 2 }] },
  { name: 'callback handler', taskRoot: CASES, handler: 'callback.waits', events: [{}, {}] },
  { name: 'rejects with an object', taskRoot: CASES, handler: 'errors.rejectsObject', events: [{}, {}] },
  { name: 'streaming handler', taskRoot: CASES, handler: 'streaming.handler', events: [{}, {}] },
  // Handler loading: the probe finds and loads the module as the client of the function's generation.
  { name: 'a package in node_modules named by the handler', taskRoot: CASES, handler: 'oracle-package.handler', events: [{}, {}] },
  { name: 'a folder named as the module', taskRoot: CASES, handler: 'dir-module.handler', events: [{}, {}] },
  { name: 'ESM default export object holding the handler', taskRoot: CASES, handler: 'esm-default-object.handler', events: [{}, {}] },
  { name: 'CommonJS module.exports.default', taskRoot: RIC_HANDLERS, handler: 'defaultHandler.default', events: [{}, {}] },
  { name: 'extensionless file before .js', taskRoot: RIC_HANDLERS, handler: 'precedence.handler', events: [{}, {}] },
  { name: 'missing module', taskRoot: RIC_HANDLERS, handler: 'noModule.echo', events: [{}] },
  { name: 'export is not a function', taskRoot: CASES, handler: 'errors.notAFunction', events: [{}] },
];

/** The probe layer as Lambda would extract it into /opt. */
async function extractProbeLayer(): Promise<string> {
  const optDir = mkdtempSync(join(tmpdir(), 'warm-state-oracle-opt-'));
  const layer = buildProbeLayer(join(ROOT, 'dist', 'child'));
  await unzip(layer.zip, UNZIPPED_LIMIT, (path, mode) => {
    const chunks: Uint8Array[] = [];
    return {
      write: (chunk) => void chunks.push(chunk),
      end: () => {
        const target = join(optDir, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.concat(chunks));
        if (mode !== undefined) chmodSync(target, mode);
      },
    };
  });
  return optDir;
}

/**
 * The two paths a probe's load error names where the client's names its own bundle: the
 * require stack's runtime file, made in LAMBDA_RUNTIME_DIR (/var/runtime on Lambda, a temporary
 * folder of the emulator here), and the importer Node names for an ES module (a directory
 * import under 4.x): the probe's shim, since the probe calls import() itself.
 */
function asTheClientsImporter(outcome: InvocationOutcome): InvocationOutcome {
  if (outcome.errorMessage === undefined) return outcome;
  const errorMessage = outcome.errorMessage
    .replace(new RegExp(`${escapeRegExp(tmpdir())}/warm-state-runtime-[^/]+/index\\.mjs`, 'g'), '/var/runtime/index.mjs')
    .replace(/imported from \/var\/runtime\/shim\.mjs/g, 'imported from /var/runtime/index.mjs');
  return { ...outcome, errorMessage };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function moduleVariable(snapshot: ProbeSnapshot, name: string): CapturedVariable | undefined {
  return snapshot.moduleScope?.find((v) => v.name === name);
}

describe('the probe layer under the real runtime interface client (AWS_LAMBDA_EXEC_WRAPPER)', function () {
  this.timeout(60_000);
  let optDir: string;

  before(async () => {
    const missing = (Object.keys(CLIENTS) as ClientVersion[]).filter((version) => !clientInstalled(ROOT, version));
    if (missing.length > 0) throw new Error(`aws-lambda-ric ${missing.join(', ')} not built: run \`node scripts/oracle/install-clients.mjs\` (npm run test:oracle does).`);
    optDir = await extractProbeLayer();
  });
  after(() => rmSync(optDir, { recursive: true, force: true }));

  for (const profile of PROFILES) {
    for (const base of CASES_UNDER_PROBE) {
      it(`${base.name} answers as without the probe and logs its snapshot [${profile}]`, async () => {
        const plain: OracleCase = { ...base, profiles: [profile] };
        const probed: OracleCase = { ...plain, env: { AWS_LAMBDA_EXEC_WRAPPER: PROBE_WRAPPER_PATH } };
        const normalise = { taskRoot: base.taskRoot, runtimeDirs: [...realRuntimeDirs(ROOT, profile), join(optDir, 'warm-state')] };
        const withoutProbe = await runRealResults(ROOT, plain, profile, null);
        const withProbe = await runRealResults(ROOT, probed, profile, optDir);
        const outcomes = (results: typeof withProbe) => results.map((r) => normaliseOutcome(toOutcome(r, false), normalise));
        assert.deepStrictEqual(outcomes(withProbe).map(asTheClientsImporter), outcomes(withoutProbe), 'with the probe (actual) versus without (expected)');

        // Every invocation that reached the handler logged its line, numbered within the environment.
        const ran = withProbe.filter((r) => r.failedPhase !== 'init');
        const snapshots = ran.map((r) => {
          const found = decodeProbeLine(r.logs);
          assert.ok(found, `no probe line in the logs of ${r.requestId}:\n${r.logs}`);
          return found.snapshot;
        });
        assert.deepEqual(snapshots.map((s) => s.requestId), ran.map((r) => r.requestId));
        for (const snapshot of snapshots) assert.equal(snapshot.captureError, null);
        if (base.taskRoot === PROBE_TARGET) {
          assert.deepEqual(snapshots.map((s) => s.invocationInEnvironment), [1, 2, 3]);
          assert.deepEqual(
            snapshots.map((s) => {
              const requests = moduleVariable(s, 'requests')?.value;
              return requests?.type === 'array' ? requests.length : null;
            }),
            [1, 2, 3],
          );
          assert.match(snapshots[0]?.nodeVersion ?? '', new RegExp(`^v${profile.slice(6, 8)}\\.`));
        }
      });
    }
  }
});
