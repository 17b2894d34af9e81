/**
 * Text that comes from user code or from outside (logs, error messages, values, names from a
 * template or a cloned repository, a deployed function's answer, a network peer's request)
 * must not drive the terminal: an escape sequence in it could set the window title, recolour
 * or clear the screen, or hide what follows. The CLI's human output shows every control
 * character except newline and tab as a visible `\u001b`-style escape (C0, DEL and the C1
 * controls, which some terminals also obey). The --json output keeps the text exactly.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A stream for plain text (no colour of ours) whose every write is made terminal-safe. */
export function terminalSafeWriter(stream: { write(text: string): unknown }): { write(text: string): unknown } {
  return { write: (text: string) => stream.write(terminalSafe(text)) };
}
