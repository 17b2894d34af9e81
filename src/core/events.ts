/**
 * Invocation events given as text (a file, stdin, an editor buffer). They are parsed here,
 * before any environment starts, so a typo never reaches the user's handler and the error
 * says where it is (line and column), which JSON.parse's messages do not always do.
 */
import { PAYLOAD_LIMIT_BYTES } from './lambda/defaults';

export class InvalidEventError extends Error {
  constructor(
    message: string,
    /** 1-based line and column of the first offending character. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/**
 * Parses event text as JSON. `source` names where it came from in the message
 * (e.g. `events/ping.json`). A leading byte-order mark is ignored, as editors may write one.
 */
export function parseEvent(text: string, source = 'the event'): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new InvalidEventError(`${source} is empty: an event is a JSON value such as {}`, 1, 1);
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    const problem = locateJsonError(body);
    const { line, column } = lineAndColumn(body, problem.offset);
    throw new InvalidEventError(`${source} is not valid JSON: ${problem.message} at line ${line}, column ${column}`, line, column);
  }
  // Lambda refuses a synchronous Invoke whose request is larger (RequestTooLargeException):
  // refused here too, rather than run locally what can never run deployed. Measured as it is
  // sent (compact JSON, UTF-8), not as the file is written.
  const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    throw new InvalidEventError(
      `${source} is too large: ${bytes} bytes as sent, and Lambda accepts at most ${PAYLOAD_LIMIT_BYTES} (6 MiB) in a synchronous invocation; put large data in S3 and pass its key in the event`,
      1,
      1,
    );
  }
  return event;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface JsonProblem {
  offset: number;
  message: string;
}

/**
 * Finds the first error in text that JSON.parse rejected: a small recursive-descent
 * scanner of the JSON grammar (RFC 8259) that reports an offset and what it expected.
 */
export function locateJsonError(text: string): JsonProblem {
  let at = 0;
  const fail = (message: string, offset = at): never => {
    throw { offset, message } satisfies JsonProblem;
  };
  const describe = (offset: number): string => (offset >= text.length ? 'end of input' : `'${text[offset]}'`);
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const expectWord = (word: string): void => {
    if (text.startsWith(word, at)) at += word.length;
    else fail(`unexpected ${describe(at)}, expected a value`);
  };
  const string = (): void => {
    at++; // opening quote
    for (;;) {
      if (at >= text.length) fail('unterminated string');
      const ch = text[at];
      if (ch === '"') { at++; return; }
      if (ch === '\\') {
        const next = text[at + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) fail('bad \\u escape in string');
          at += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          at += 2;
        } else {
          fail('bad escape in string');
        }
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) fail(ch === '\n' ? 'line break inside a string' : 'control character inside a string');
      at++;
    }
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '-') fail(`unexpected ${describe(at)}, expected a value`);
    else at += match[0].length;
  };
  const value = (): void => {
    skipSpace();
    const ch = text[at];
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"') return string();
    if (ch === 't') return expectWord('true');
    if (ch === 'f') return expectWord('false');
    if (ch === 'n') return expectWord('null');
    if (ch === "'") fail("strings need double quotes");
    if (ch === '-' || (ch >= '0' && ch <= '9')) return number();
    fail(`unexpected ${describe(at)}, expected a value`);
  };
  const object = (): void => {
    at++;
    skipSpace();
    if (text[at] === '}') { at++; return; }
    for (;;) {
      skipSpace();
      if (text[at] !== '"') fail(text[at] === '}' ? 'trailing comma before }' : `unexpected ${describe(at)}, expected a property name in double quotes`);
      string();
      skipSpace();
      if (text[at] !== ':') fail(`unexpected ${describe(at)}, expected ':'`);
      at++;
      value();
      skipSpace();
      if (text[at] === ',') { at++; continue; }
      if (text[at] === '}') { at++; return; }
      fail(`unexpected ${describe(at)}, expected ',' or '}'`);
    }
  };
  const array = (): void => {
    at++;
    skipSpace();
    if (text[at] === ']') { at++; return; }
    for (;;) {
      skipSpace();
      if (text[at] === ']') fail('trailing comma before ]');
      value();
      skipSpace();
      if (text[at] === ',') { at++; continue; }
      if (text[at] === ']') { at++; return; }
      fail(`unexpected ${describe(at)}, expected ',' or ']'`);
    }
  };
  try {
    value();
    skipSpace();
    if (at < text.length) fail(`unexpected ${describe(at)} after the JSON value`);
    return { offset: at, message: 'invalid JSON' };
  } catch (problem) {
    if (problem && typeof problem === 'object' && 'offset' in problem) return problem as JsonProblem;
    throw problem;
  }
}
