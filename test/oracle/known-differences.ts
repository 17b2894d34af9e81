/**
 * Case x profile runs of the differential suite where the local environment is known to
 * differ from the real client, each with the reason. The suite checks that each still
 * differs: one that starts to match fails until it is taken off this list, so the list
 * can only shrink with the code, never hide a regression elsewhere. docs/runtime-profiles.md
 * (appendix) shows the outcomes on both sides.
 */
import type { OracleProfile } from '../../scripts/oracle/clients';

export const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map<string, string>([]);

export function differenceKey(caseName: string, profile: OracleProfile): string {
  return `${caseName} [${profile}]`;
}
