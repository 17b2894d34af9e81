/**
 * The side under test: Warm State's local environment (the engine the CLI and the extension
 * drive) as `warm-state invoke --template --resource` sets it up, with the profile's Node and
 * the profile passed as `--runtime`.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRunOptions } from '../../src/cli/args';
import { resolveTarget } from '../../src/cli/run-local';
import { isHandlerSettingError, parseHandlerSetting } from '../../src/core/lambda/handler-setting';
import { runtimeProfile } from '../../src/core/lambda/runtime-profiles';
import { planModuleLoad } from '../../src/core/runtime/child/services/client-loader';
import { profileNode, type OracleProfile } from '../../scripts/oracle/clients';
import type { RawInvocation } from '../../src/core/model/snapshot';
import type { EnvironmentOptions, WarmEnvironment } from '../../src/core/runtime/environment-api';
import { createLocalEnvironment } from '../../src/core/runtime/local-environment';
import { consoleLines, type InvocationOutcome, type OracleCase } from './outcome';
import { FUNCTION_NAME, MEMORY_MB, TIMEOUT_SECONDS } from './real-side';

/** Warm State's own runtime files, as messages and stacks name them. */
export function localRuntimeDirs(root: string): string[] {
  return [join(root, 'dist')];
}

/**
 * The environment options `warm-state invoke --template T --resource R` runs the case with: a
 * SAM template declaring the case's task root (CodeUri) and Handler, read by the CLI's own
 * resolveTarget, so the suite covers the template reader and the CLI's handling of handlers
 * Lambda fails to load, not only the engine. Its static checks only warn (kept here unused).
 */
async function templateTarget(testCase: OracleCase, profile: OracleProfile, nodePath: string): Promise<EnvironmentOptions> {
  const folder = mkdtempSync(join(tmpdir(), 'warm-oracle-template-'));
  try {
    const template = join(folder, 'template.yaml');
    writeFileSync(template, [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  OracleFunction:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      `      CodeUri: ${JSON.stringify(testCase.taskRoot)}`,
      `      Handler: ${JSON.stringify(testCase.handler)}`,
      `      Runtime: ${profile}`,
      `      FunctionName: ${FUNCTION_NAME}`,
      `      MemorySize: ${MEMORY_MB}`,
      `      Timeout: ${TIMEOUT_SECONDS}`,
      '',
    ].join('\n'));
    const options: LocalRunOptions = {
      command: 'invoke', file: '', times: testCase.events.length, env: testCase.env ?? {}, freeze: true, json: true,
      retained: false, initProfile: false, nodePath, runtime: profile, template, resource: 'OracleFunction', help: false, parallel: 1, maxEnvironments: 1,
    };
    const target = await resolveTarget(options, { cwd: folder, env: {}, stderr: { write: () => true } });
    return target.environment;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * With `ORACLE_LOCAL=file`: `warm-state invoke FILE --handler EXPORT` instead, for the cases
 * whose Handler names a file (the one the profile's client loads: planModuleLoad); the others
 * (malformed names, missing modules, packages, folders) have no file to name and keep the template.
 */
async function fileTarget(testCase: OracleCase, profile: OracleProfile, nodePath: string): Promise<EnvironmentOptions | null> {
  const setting = parseHandlerSetting(testCase.handler);
  if (isHandlerSettingError(setting)) return null;
  const first = planModuleLoad(runtimeProfile(profile).client, testCase.taskRoot, setting, () => undefined).steps[0];
  if (!first || !statSync(first.file).isFile()) return null;
  const options: LocalRunOptions = {
    command: 'invoke', file: first.file, handler: setting.exportPath, times: testCase.events.length, env: testCase.env ?? {}, freeze: true,
    json: true, retained: false, initProfile: false, nodePath, runtime: profile, help: false, parallel: 1, maxEnvironments: 1,
  };
  const target = await resolveTarget(options, { cwd: testCase.taskRoot, env: {}, stderr: { write: () => true } });
  // The case's task root rather than the CLI's default (the nearest package.json folder): paths in
  // messages are compared as /var/task/..., and the real client runs there.
  return { ...target.environment, taskRoot: testCase.taskRoot, functionName: FUNCTION_NAME, memoryMB: MEMORY_MB, timeoutSeconds: TIMEOUT_SECONDS };
}

export async function runLocal(root: string, testCase: OracleCase, profile: OracleProfile): Promise<InvocationOutcome[]> {
  let environment: WarmEnvironment;
  try {
    const nodePath = await profileNode(root, profile);
    const byFile = process.env.ORACLE_LOCAL === 'file' ? await fileTarget(testCase, profile, nodePath) : null;
    environment = createLocalEnvironment(byFile ?? (await templateTarget(testCase, profile, nodePath)));
  } catch (error) {
    return testCase.events.map(() => refused((error as Error).message));
  }
  const outcomes: InvocationOutcome[] = [];
  try {
    for (const event of testCase.events) {
      try {
        const options = testCase.clientContext === undefined ? {} : { clientContext: testCase.clientContext };
        outcomes.push(toOutcome(await environment.invoke(event, options), testCase.compareLogs === true));
      } catch (error) {
        outcomes.push(refused((error as Error).message));
      }
    }
  } finally {
    await environment.dispose();
  }
  return outcomes;
}

function refused(message: string): InvocationOutcome {
  return { cold: true, kind: 'refused', errorMessage: message };
}

function toOutcome(record: RawInvocation, withLogs: boolean): InvocationOutcome {
  const logs = withLogs ? { logs: consoleLines(record.logs) } : {};
  if (!record.error) return { cold: record.cold, kind: 'response', response: record.response, ...logs };
  return {
    cold: record.cold,
    kind: record.reset === 'init-error' ? 'init-error' : 'error',
    errorType: record.error.errorType,
    errorMessage: record.error.errorMessage,
    ...logs,
  };
}
