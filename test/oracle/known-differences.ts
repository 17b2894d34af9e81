/**
 * Case x profile runs of the differential suite where the local environment is known to
 * differ from the real client, each with the reason. The suite checks that each still
 * differs: one that starts to match fails until it is taken off this list, so the list
 * can only shrink with the code, never hide a regression elsewhere. docs/runtime-profiles.md
 * (appendix) shows the outcomes on both sides.
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

/**
 * Case name, the profiles where it differs, why. Empty since 2026-12-04: the last entry (a
 * streaming handler that never ends, on every profile) was the emulator's pre-2025 timeout
 * document against the local environment's Sandbox.Timedout; both now answer Lambda's.
 */
const DIFFERENCES: ReadonlyArray<readonly [string, readonly OracleProfile[], string]> = [];

export const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map<string, string>(
  DIFFERENCES.flatMap(([caseName, profiles, reason]) => profiles.map((profile): [string, string] => [differenceKey(caseName, profile), reason])),
);

export function differenceKey(caseName: string, profile: OracleProfile): string {
  return `${caseName} [${profile}]`;
}
