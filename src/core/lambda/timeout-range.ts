/**
 * The function timeouts Warm State runs: up to Lambda's maximum of 900 seconds, and down to
 * 0.1 s (Lambda's own minimum is 1 s; shorter ones let a test time out fast). One check for the
 * command line, the editor setting and templates, so that all of them accept the same values.
 */
export const MIN_TIMEOUT_SECONDS = 0.1;
export const MAX_TIMEOUT_SECONDS = 900;

/** Plain decimal seconds as typed: `3`, `2.5`, `.5` (not `1e-9`, `0x10` or `Infinity`). */
const DECIMAL_SECONDS = /^(\d+(\.\d*)?|\.\d+)$/;

export type TimeoutCheck = { seconds: number } | { problem: string };

/** The timeout in seconds, or why it is refused: a phrase to put after the setting's name. */
export function checkTimeoutSeconds(value: number | string): TimeoutCheck {
  const seconds = typeof value === 'number' ? value : DECIMAL_SECONDS.test(value.trim()) ? Number(value) : NaN;
  if (seconds >= MIN_TIMEOUT_SECONDS && seconds <= MAX_TIMEOUT_SECONDS) return { seconds };
  const given = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return { problem: `must be a number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}, got ${given}` };
}
