/**
 * Case x profile runs of the differential suite where the local environment is known to
 * differ from the real client, each with the reason. The suite checks that each still
 * differs: one that starts to match fails until it is taken off this list, so the list
 * can only shrink with the code, never hide a regression elsewhere. docs/runtime-profiles.md
 * (appendix) shows the outcomes on both sides.
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

const EVERY_PROFILE: readonly OracleProfile[] = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

/** Case name, the profiles where it differs, why. */
const DIFFERENCES: ReadonlyArray<readonly [string, readonly OracleProfile[], string]> = [
  [
    'streaming handler that never ends its stream',
    EVERY_PROFILE,
    "the same timeout and reset; the timeout error (Sandbox.Timedout, 'RequestId: <id> Error: Task timed out after 3.00 seconds', as Lambda's Invoke answers it today) is not the payload the emulator answers with (no errorType; time and request id in the message, Lambda's words before 2025)",
  ],
];

export const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map<string, string>(
  DIFFERENCES.flatMap(([caseName, profiles, reason]) => profiles.map((profile): [string, string] => [differenceKey(caseName, profile), reason])),
);

export function differenceKey(caseName: string, profile: OracleProfile): string {
  return `${caseName} [${profile}]`;
}
