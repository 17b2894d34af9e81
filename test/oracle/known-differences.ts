/**
 * Case x profile runs of the differential suite where the local environment is known to
 * differ from the real client, each with the reason. The suite checks that each still
 * differs: one that starts to match fails until it is taken off this list, so the list
 * can only shrink with the code, never hide a regression elsewhere. docs/runtime-profiles.md
 * (appendix) shows the outcomes on both sides.
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

const EVERY_PROFILE: readonly OracleProfile[] = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
const NODEJS24: readonly OracleProfile[] = ['nodejs24.x'];
const LOADING = 'handler loading is not per profile yet (issue 11, branch profile-loading)';

/** Case name, the profiles where it differs, why. */
const DIFFERENCES: ReadonlyArray<readonly [string, readonly OracleProfile[], string]> = [
  ['ric: ".." in the handler', EVERY_PROFILE, `${LOADING}: Runtime.MalformedHandlerName for ".." is not checked before loading`],
  ['ric: no dot in the handler', EVERY_PROFILE, `${LOADING}: a setting without a dot is refused by the environment options, not an init error (Bad handler)`],
  ['ric: missing module', EVERY_PROFILE, `${LOADING}: ImportModuleError names the resolved path, not the bare module of the client's last require.resolve`],
  ['ric: CommonJS module.exports.default', NODEJS24, `${LOADING}: 4.x loads CommonJS through import(), whose namespace default is module.exports`],
  ['ric: extensionless ESM syntax, "type": "commonjs"', NODEJS24, `${LOADING}: 4.x imports an extensionless file; Node 24 refuses the require(esm) cycle`],
  ['ric: extensionless CommonJS, "type": "module"', NODEJS24, `${LOADING}: 4.x imports an extensionless file as the package type says`],
  ['ESM default export object holding the handler', NODEJS24, `${LOADING}: 4.x retries the export path under module.default`],
  ['a folder named as the module', NODEJS24, `${LOADING}: 4.x import() of a folder is Node's directory import error`],
  ['a package in node_modules named by the handler', EVERY_PROFILE, `${LOADING}: no bare-name require.resolve fallback`],
  [
    'streaming handler that never ends its stream',
    EVERY_PROFILE,
    "the same timeout and reset; the record's timeout error (Sandbox.Timedout, 'Task timed out after 3.00 seconds') is not the Invoke API payload the emulator answers with (no errorType; time and request id in the message)",
  ],
];

export const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map<string, string>(
  DIFFERENCES.flatMap(([caseName, profiles, reason]) => profiles.map((profile): [string, string] => [differenceKey(caseName, profile), reason])),
);

export function differenceKey(caseName: string, profile: OracleProfile): string {
  return `${caseName} [${profile}]`;
}
