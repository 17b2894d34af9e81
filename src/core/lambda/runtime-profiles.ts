/**
 * Lambda's Node.js runtimes as Warm State models them: each profile is what one managed
 * runtime does to a handler (which runtime interface client runs it, and the flags the
 * runtime image gives Node). docs/runtime-profiles.md cites the client source behind each
 * behaviour; the differential suite (npm run test:oracle) checks them against the real client.
 */

import type { RuntimeProfileName, RuntimeSource } from '../model/snapshot';

// The names are declared with the record that carries them (model/snapshot.ts); PROFILES below
// is a Record over them, so a name without a profile does not compile.
export type { RuntimeProfileName, RuntimeSource };
export const RUNTIME_PROFILE_NAMES: readonly RuntimeProfileName[] = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

export interface RuntimeProfile {
  name: RuntimeProfileName;
  /** The Node.js major version Lambda runs for this runtime. */
  nodeMajor: number;
  /**
   * The runtime interface client generation: 3.x (nodejs20.x, nodejs22.x) or 4.x (nodejs24.x,
   * and nodejs22.x on Managed Instances).
   */
  client: 3 | 4;
  /**
   * Flags the runtime image starts Node with (Lambda's runtime table). The user's NODE_OPTIONS
   * can turn a feature back on with the positive flag: see lambdaNodeFlags.
   */
  nodeFlags: readonly string[];
}

const PROFILES: Record<RuntimeProfileName, RuntimeProfile> = {
  // --expose-gc: every runtime image's bootstrap passes it (docs/runtime-profiles.md, "Node flags").
  'nodejs20.x': { name: 'nodejs20.x', nodeMajor: 20, client: 3, nodeFlags: ['--expose-gc', '--no-experimental-require-module'] },
  'nodejs22.x': { name: 'nodejs22.x', nodeMajor: 22, client: 3, nodeFlags: ['--expose-gc', '--no-experimental-require-module', '--no-experimental-detect-module'] },
  'nodejs24.x': { name: 'nodejs24.x', nodeMajor: 24, client: 4, nodeFlags: ['--expose-gc'] },
};

export function isRuntimeProfileName(value: string): value is RuntimeProfileName {
  return (RUNTIME_PROFILE_NAMES as readonly string[]).includes(value);
}

/**
 * The profile for a runtime name. Managed Instances run the 4.x client whatever the runtime
 * (they need Node 22 or later: nodejs20.x is refused by the caller).
 */
export function runtimeProfile(name: RuntimeProfileName, options: { managedInstances?: boolean } = {}): RuntimeProfile {
  const profile = PROFILES[name];
  return options.managedInstances && profile.client === 3 ? { ...profile, client: 4 } : profile;
}

/**
 * The client generation a deployed function runs under, from the variables Lambda sets (the
 * probe reads them inside the function): the 4.x client from nodejs24.x on (AWS_EXECUTION_ENV
 * `AWS_Lambda_nodejs<major>.x`), and on Managed Instances whatever the runtime (their
 * AWS_LAMBDA_MAX_CONCURRENCY); else 3.x.
 */
export function deployedClientGeneration(env: Readonly<Record<string, string | undefined>>): 3 | 4 {
  if (env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined) return 4;
  const major = /^AWS_Lambda_nodejs(\d+)\.x$/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1];
  return major !== undefined && Number(major) >= 24 ? 4 : 3;
}

export class UnknownRuntimeError extends Error {
  constructor(readonly value: string, readonly source: 'flag' | 'setting') {
    super(`Unknown runtime '${value}'${source === 'setting' ? ' in the warmState.runtime setting' : ''}: supported runtimes are ${RUNTIME_PROFILE_NAMES.join(', ')}.`);
    this.name = 'UnknownRuntimeError';
  }
}

export interface RuntimeChoice {
  profile: RuntimeProfileName;
  source: RuntimeSource;
  /** Said to the user when the choice is a fallback (a template runtime or a Node major we do not model). */
  warning: string | null;
}

export interface RuntimeInputs {
  /** `--runtime` on the CLI. */
  flag?: string | null;
  /** The `warmState.runtime` setting. */
  setting?: string | null;
  /** The template's `Runtime` (or serverless.yml's `provider.runtime` / function `runtime`). */
  template?: string | null;
  /** The node that will run the handler, `process.version` style. */
  nodeVersion: string;
}

/**
 * Picks the profile: `--runtime` > the setting > the template > the local Node major.
 * An unknown flag or setting value throws UnknownRuntimeError (the CLI exits 2 with it); a
 * template runtime Warm State does not model, or a local Node between or beyond Lambda's
 * majors, falls back to the nearest lower profile with a warning.
 */
export function chooseRuntime(inputs: RuntimeInputs): RuntimeChoice {
  for (const source of ['flag', 'setting'] as const) {
    const value = inputs[source]?.trim();
    if (!value) continue;
    if (!isRuntimeProfileName(value)) throw new UnknownRuntimeError(value, source);
    return { profile: value, source, warning: null };
  }
  const template = inputs.template?.trim();
  if (template) {
    if (isRuntimeProfileName(template)) return { profile: template, source: 'template', warning: null };
    const major = /^nodejs(\d+)\.x$/i.exec(template);
    if (major) {
      const profile = profileForMajor(Number(major[1]));
      return { profile, source: 'template', warning: `The template's runtime ${template} is not one Warm State models; running as ${profile}.` };
    }
  }
  const local = /^v?(\d+)/.exec(inputs.nodeVersion.trim());
  const major = local ? Number(local[1]) : PROFILES['nodejs20.x'].nodeMajor;
  const profile = profileForMajor(major);
  const exact = PROFILES[profile].nodeMajor === major;
  return {
    profile,
    source: 'node-major',
    warning: exact ? null : `Node.js ${major} is not a Lambda runtime; running as ${profile}. Pass --runtime or set warmState.runtime to choose.`,
  };
}

/** The highest profile whose Node major is at most `major` (the lowest profile below that). */
function profileForMajor(major: number): RuntimeProfileName {
  let chosen: RuntimeProfileName = RUNTIME_PROFILE_NAMES[0];
  for (const name of RUNTIME_PROFILE_NAMES) if (PROFILES[name].nodeMajor <= major) chosen = name;
  return chosen;
}

/**
 * The profile's Node flags minus those the user's NODE_OPTIONS re-enables: Lambda starts Node
 * with `--no-experimental-require-module` (20, 22) and `--no-experimental-detect-module` (22),
 * and a `--experimental-require-module` in NODE_OPTIONS turns the feature back on.
 */
export function lambdaNodeFlags(profile: RuntimeProfile, nodeOptions: string | undefined): string[] {
  const userFlags = new Set((nodeOptions ?? '').split(/\s+/).filter(Boolean));
  return profile.nodeFlags.filter((flag) => !userFlags.has(flag.replace(/^--no-/, '--')));
}

/** Every flag some profile gives Node: what the host asks a node binary about before passing them. */
export const ALL_PROFILE_NODE_FLAGS: readonly string[] = [...new Set(Object.values(PROFILES).flatMap((profile) => profile.nodeFlags))];

/**
 * A sentence when the Node.js major version that runs (or ran) the handler differs from the
 * runtime's, else null (also null for non-Node or unversioned runtimes: other checks report
 * those). `runtime` is a profile or a template's `Runtime`; `nodeVersion` is `process.version`
 * style (`v22.3.0`) or bare (`22.3.0`).
 */
export function nodeMajorMismatch(runtime: string, nodeVersion: string): string | null {
  const wanted = /^nodejs(\d+)\.x$/i.exec(runtime.trim());
  const match = /^v?(\d+)(\.|$)/.exec(nodeVersion.trim());
  if (!wanted || !match) return null;
  const major = Number(wanted[1]);
  const local = Number(match[1]);
  if (local === major) return null;
  const shown = nodeVersion.trim().startsWith('v') ? nodeVersion.trim() : `v${nodeVersion.trim()}`;
  return `The function's runtime is ${runtime} (Node.js ${major}) but the local node is ${shown} (Node.js ${local}); behaviour and available APIs may differ from Lambda. Run it with a Node.js ${major} binary (--node, or the warmState.nodePath setting) to match.`;
}

/** The 4.x client (nodejs24.x) refuses handlers that take a callback. */
export function refusesCallbackHandlers(profile: RuntimeProfile): boolean {
  return profile.client === 4;
}

/**
 * What to tell the user about a callback-style handler (3 or more parameters, not streaming)
 * under a profile that refuses it: its init fails with Runtime.CallbackHandlerDeprecated.
 * `isAsync`: the handler is async already, so only the parameter has to go.
 */
export function callbackHandlerWarning(profile: RuntimeProfileName, isAsync: boolean): string {
  const fix = isAsync
    ? 'Remove the callback parameter: the handler is async already, so return the result (or throw) instead of calling callback.'
    : 'Make the handler async, drop the callback parameter and return the result (or throw the error) instead of calling callback.';
  return `Lambda's ${profile} runtime refuses callback handlers: a handler with 3 or more parameters (event, context, callback) fails its init with Runtime.CallbackHandlerDeprecated. ${fix}`;
}

/**
 * Where a choice came from, as the CLI and the panel say it: "from --runtime", "from the
 * warmState.runtime setting", "from template.yaml", "from the local Node 22".
 */
export function describeRuntimeSource(source: RuntimeSource, detail: { templateFile?: string | null; nodeVersion?: string | null } = {}): string {
  switch (source) {
    case 'flag':
      return 'from --runtime';
    case 'setting':
      return 'from the warmState.runtime setting';
    case 'template':
      return detail.templateFile ? `from ${detail.templateFile}` : 'from the template';
    case 'node-major': {
      const major = /^v?(\d+)/.exec(detail.nodeVersion ?? '')?.[1];
      return major ? `from the local Node ${major}` : 'from the local Node';
    }
  }
}
