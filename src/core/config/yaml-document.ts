/**
 * Reading YAML (and JSON) config files with CloudFormation's short-form tags, keeping line
 * numbers so every setting and problem can point at its line.
 *
 * Short forms become their long JSON forms (`!Ref X` -> `{ Ref: 'X' }`, `!GetAtt A.B` ->
 * `{ 'Fn::GetAtt': ['A', 'B'] }`), so YAML and JSON templates look the same afterwards.
 */
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document, type ScalarTag, type CollectionTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** Short-form tag name -> long-form key. */
const INTRINSIC_TAGS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  If: 'Fn::If',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  ImportValue: 'Fn::ImportValue',
  Base64: 'Fn::Base64',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  GetAZs: 'Fn::GetAZs',
  Cidr: 'Fn::Cidr',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

function intrinsicTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [short, long] of Object.entries(INTRINSIC_TAGS)) {
    tags.push({
      tag: `!${short}`,
      resolve: (text: string) => ({ [long]: short === 'GetAtt' ? splitGetAtt(text) : text }),
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${short}`,
        collection,
        resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [long]: node.toJSON() as unknown }),
      });
    }
  }
  return tags;
}

/** `!GetAtt Table.StreamArn` means `['Table', 'StreamArn']` (split at the first dot only). */
function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

const CUSTOM_TAGS = intrinsicTags();

export interface ParsedConfigFile {
  /** The plain JavaScript value (objects, arrays, strings, intrinsics in long form). */
  value: unknown;
  /** 1-based line of the node at a key path, or of its nearest existing parent; 1 when unknown. */
  lineOf(path: readonly (string | number)[]): number;
  /** Messages that stop the file from being read (syntax errors), with their line. */
  errors: { message: string; line: number }[];
  /** Messages that do not (unknown tags), with their line. */
  warnings: { message: string; line: number }[];
}

/** Parse YAML or JSON text. Never throws. */
export function parseConfigText(text: string): ParsedConfigFile {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { customTags: CUSTOM_TAGS, lineCounter, prettyErrors: false, uniqueKeys: false, strict: false, merge: true });
  } catch (err) {
    // The yaml package reports problems in doc.errors; this is a last guard.
    return { value: undefined, lineOf: () => 1, errors: [{ message: err instanceof Error ? err.message : String(err), line: 1 }], warnings: [] };
  }
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const errors = doc.errors.map((e) => ({ message: firstLine(e.message), line: lineAt(e.pos[0]) }));
  const warnings = doc.warnings.map((w) => ({ message: firstLine(w.message), line: lineAt(w.pos[0]) }));
  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      errors.push({ message: err instanceof Error ? err.message : String(err), line: 1 });
    }
  }
  // The line of the key that names each step of the path (where a reader looks for it), or
  // of the nearest existing parent when the path goes further than the document.
  const lineOf = (path: readonly (string | number)[]): number => {
    let node: unknown = doc.contents;
    let line = isNode(node) && node.range ? lineAt(node.range[0]) : 1;
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === step);
        if (!pair) break;
        if (isNode(pair.key) && pair.key.range) line = lineAt(pair.key.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
        node = node.items[step];
        if (isNode(node) && node.range) line = lineAt(node.range[0]);
      } else {
        break;
      }
    }
    return line;
  };
  return { value, lineOf, errors, warnings };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
