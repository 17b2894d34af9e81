/**
 * CloudFormation intrinsic functions, as far as they can be known without deploying:
 * `Ref` to a template parameter with a `Default`, `Fn::Sub` / `Fn::Join` / `Fn::Select` /
 * `Fn::Split` / `Fn::If` over known values. Everything else (`Fn::GetAtt`, `Fn::ImportValue`,
 * pseudo parameters such as `AWS::StackName`) stays unresolved and is described as text.
 */

export type Resolution = { known: true; value: unknown; via: string[] } | { known: false; text: string };

export interface IntrinsicContext {
  /** Template parameters: name -> Default (parameters without Default are absent). */
  parameterDefaults: Record<string, unknown>;
  /** Known pseudo parameters, e.g. `AWS::Region` when the caller's environment says it. */
  pseudo: Record<string, string>;
  /** `Conditions` section, to evaluate `Fn::If` when it only depends on known values. */
  conditions: Record<string, unknown>;
}

const INTRINSIC_KEYS = new Set([
  'Ref',
  'Condition',
  'Fn::Sub',
  'Fn::GetAtt',
  'Fn::If',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::ImportValue',
  'Fn::Base64',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::GetAZs',
  'Fn::Cidr',
  'Fn::Transform',
  'Fn::Length',
  'Fn::ToJsonString',
]);

/** The intrinsic's key when `value` is a one-key `{ Ref: ... }` / `{ 'Fn::X': ... }` object. */
export function intrinsicKey(value: unknown): string | null {
  if (!isPlainObject(value)) return null;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSIC_KEYS.has(keys[0]) ? keys[0] : null;
}

/** Resolve a template value; `via` lists the parameter defaults used (for "where it came from"). */
export function resolveIntrinsic(value: unknown, context: IntrinsicContext, depth = 0): Resolution {
  if (depth > 20) return { known: false, text: describeIntrinsic(value) };
  const key = intrinsicKey(value);
  if (key === null) {
    if (Array.isArray(value)) return resolveAll(value, context, depth);
    return { known: true, value, via: [] };
  }
  const argument = (value as Record<string, unknown>)[key];
  const unknown: Resolution = { known: false, text: describeIntrinsic(value) };
  switch (key) {
    case 'Ref': {
      if (typeof argument !== 'string') return unknown;
      if (argument in context.pseudo) return { known: true, value: context.pseudo[argument], via: [argument] };
      if (argument in context.parameterDefaults) return { known: true, value: context.parameterDefaults[argument], via: [`Parameters.${argument}.Default`] };
      return unknown;
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
      if (typeof template !== 'string') return unknown;
      const via: string[] = [];
      let failed = false;
      const text = template.replace(/\$\{(!?)([^}]*)\}/g, (whole, bang: string, name: string) => {
        if (bang) return `\${${name}}`; // `${!Literal}` is an escaped literal `${Literal}`.
        let resolution: Resolution;
        if (isPlainObject(variables) && name in variables) resolution = resolveIntrinsic(variables[name], context, depth + 1);
        else if (name.includes('.')) resolution = { known: false, text: whole };
        else resolution = resolveIntrinsic({ Ref: name }, context, depth + 1);
        if (!resolution.known || !isScalar(resolution.value)) {
          failed = true;
          return whole;
        }
        via.push(...resolution.via);
        return String(resolution.value);
      });
      return failed ? unknown : { known: true, value: text, via };
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return unknown;
      const parts = resolveIntrinsic(argument[1], context, depth + 1);
      if (!parts.known || !Array.isArray(parts.value) || !parts.value.every(isScalar)) return unknown;
      return { known: true, value: parts.value.map(String).join(argument[0]), via: parts.via };
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument)) return unknown;
      const index = resolveIntrinsic(argument[0], context, depth + 1);
      const list = resolveIntrinsic(argument[1], context, depth + 1);
      if (!index.known || !list.known || !Array.isArray(list.value)) return unknown;
      const item = list.value[Number(index.value)];
      return item === undefined ? unknown : { known: true, value: item, via: [...index.via, ...list.via] };
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return unknown;
      const source = resolveIntrinsic(argument[1], context, depth + 1);
      if (!source.known || typeof source.value !== 'string') return unknown;
      return { known: true, value: source.value.split(argument[0]), via: source.via };
    }
    case 'Fn::If': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return unknown;
      const condition = evaluateCondition(context.conditions[argument[0]], context, depth + 1);
      if (condition === null) return unknown;
      const chosen = resolveIntrinsic(condition ? argument[1] : argument[2], context, depth + 1);
      return chosen.known ? { known: true, value: chosen.value, via: [`Conditions.${argument[0]}`, ...chosen.via] } : chosen;
    }
    default:
      return unknown;
  }
}

function resolveAll(values: unknown[], context: IntrinsicContext, depth: number): Resolution {
  const out: unknown[] = [];
  const via: string[] = [];
  for (const item of values) {
    const resolution = resolveIntrinsic(item, context, depth + 1);
    if (!resolution.known) return { known: false, text: describeIntrinsic(values) };
    out.push(resolution.value);
    via.push(...resolution.via);
  }
  return { known: true, value: out, via };
}

/** true/false when a condition only depends on known values, else null. */
function evaluateCondition(condition: unknown, context: IntrinsicContext, depth: number): boolean | null {
  if (depth > 20) return null;
  const key = intrinsicKey(condition);
  const argument = key === null ? undefined : (condition as Record<string, unknown>)[key];
  switch (key) {
    case 'Fn::Equals': {
      if (!Array.isArray(argument) || argument.length !== 2) return null;
      const a = resolveIntrinsic(argument[0], context, depth + 1);
      const b = resolveIntrinsic(argument[1], context, depth + 1);
      return a.known && b.known && isScalar(a.value) && isScalar(b.value) ? String(a.value) === String(b.value) : null;
    }
    case 'Fn::Not': {
      const inner = Array.isArray(argument) ? evaluateCondition(argument[0], context, depth + 1) : null;
      return inner === null ? null : !inner;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(argument)) return null;
      const values = argument.map((c) => evaluateCondition(c, context, depth + 1));
      if (values.some((v) => v === null)) return null;
      return key === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Condition':
      return typeof argument === 'string' ? evaluateCondition(context.conditions[argument], context, depth + 1) : null;
    default:
      return null;
  }
}

/** Readable short form of a value: `!GetAtt Table.Arn`, `!Sub ${AWS::StackName}-x`, `!If [...]`. */
export function describeIntrinsic(value: unknown): string {
  const key = intrinsicKey(value);
  if (key === null) {
    if (Array.isArray(value)) return `[${value.map(describeIntrinsic).join(', ')}]`;
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  }
  const argument = (value as Record<string, unknown>)[key];
  const short = key.replace(/^Fn::/, '');
  if (key === 'Fn::GetAtt' && Array.isArray(argument)) return `!GetAtt ${argument.map(describeIntrinsic).join('.')}`;
  if (typeof argument === 'string') return `!${short} ${argument}`;
  if (Array.isArray(argument)) return `!${short} [${argument.map(describeIntrinsic).join(', ')}]`;
  return `!${short} ${JSON.stringify(argument)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
