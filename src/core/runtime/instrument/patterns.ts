/** Names bound by binding patterns (identifiers, destructuring, defaults, rest). */
import type { Node as AcornNode } from 'acorn';

type AnyNode = AcornNode & Record<string, unknown>;

export function patternNames(pattern: AnyNode | null | undefined, out: string[]): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name as string);
      break;
    case 'ObjectPattern':
      for (const prop of pattern.properties as AnyNode[]) {
        patternNames((prop.type === 'RestElement' ? prop.argument : prop.value) as AnyNode, out);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements as (AnyNode | null)[]) patternNames(element, out);
      break;
    case 'RestElement':
      patternNames(pattern.argument as AnyNode, out);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left as AnyNode, out);
      break;
    default:
      break;
  }
}

/** Names bound by a function's parameter list (destructuring included). */
export function parameterNames(params: AcornNode[]): string[] {
  const out: string[] = [];
  for (const param of params) patternNames(param as AnyNode, out);
  return out;
}

