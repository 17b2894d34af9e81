/**
 * Deployed-mode settings (`warmState.aws.*`, `warmState.deployed.*`, `warmState.localEndpoint.*`),
 * read through a getter so this stays pure. Proposed contributions are listed in
 * DEPLOYED_SETTINGS_CONTRIBUTION for package.json.
 */
export interface DeployedSettings {
  profile: string | undefined;
  region: string | undefined;
  endpointUrl: string | undefined;
  /** Handler (`path/relative/to/workspace.js:export`) -> function name, ARN or `name:alias`. */
  functions: Record<string, string>;
  localEndpointPort: number;
}

export function readDeployedSettings(get: (key: string) => unknown): DeployedSettings {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const endpointUrl = text(get('aws.endpointUrl'));
  const functions: Record<string, string> = {};
  const mapping = get('deployed.functions');
  if (mapping && typeof mapping === 'object' && !Array.isArray(mapping)) {
    for (const [key, value] of Object.entries(mapping)) if (typeof value === 'string' && value.trim()) functions[key] = value.trim();
  }
  const port = get('localEndpoint.port');
  return {
    profile: text(get('aws.profile')),
    region: text(get('aws.region')),
    endpointUrl: endpointUrl && /^https?:\/\/\S+$/.test(endpointUrl) ? endpointUrl : undefined,
    functions,
    localEndpointPort: typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 3001,
  };
}

/** The mapping key of a handler: its workspace-relative path (forward slashes) and export. */
export function mappingKey(relativePath: string, exportName: string): string {
  return `${relativePath.replace(/\\/g, '/')}:${exportName}`;
}

/** `name:alias` (or an ARN with a qualifier) split into function and qualifier. */
export function splitQualifier(target: string): { functionName: string; qualifier?: string } {
  if (target.startsWith('arn:')) {
    const parts = target.split(':');
    return parts.length > 7 ? { functionName: parts.slice(0, 7).join(':'), qualifier: parts.slice(7).join(':') } : { functionName: target };
  }
  const colon = target.indexOf(':');
  return colon > 0 ? { functionName: target.slice(0, colon), qualifier: target.slice(colon + 1) } : { functionName: target };
}

/** For package.json `contributes.configuration.properties` (the owner of package.json adds it). */
export const DEPLOYED_SETTINGS_CONTRIBUTION = {
  'warmState.aws.profile': { type: 'string', default: '', markdownDescription: 'AWS profile for deployed functions (empty: the SDK default chain, `AWS_PROFILE`).' },
  'warmState.aws.region': { type: 'string', default: '', markdownDescription: 'AWS region for deployed functions (empty: `AWS_REGION` or the profile\'s region).' },
  'warmState.aws.endpointUrl': { type: 'string', default: '', markdownDescription: 'Another Lambda endpoint, e.g. `http://127.0.0.1:3001` (`warm-state serve`) or LocalStack.' },
  'warmState.deployed.functions': {
    type: 'object',
    default: {},
    additionalProperties: { type: 'string' },
    markdownDescription: 'Deployed function for a handler: `"src/handler.js:handler": "my-function"` (name, ARN or `name:alias`). Without an entry Warm State asks once and remembers.',
  },
  'warmState.localEndpoint.port': { type: 'number', default: 3001, minimum: 0, maximum: 65535, markdownDescription: 'Port of the local Lambda endpoint (127.0.0.1 only; 0 picks a free one).' },
} as const;
