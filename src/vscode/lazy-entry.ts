/**
 * The heavy half of the extension: the detector (acorn, sucrase), the template reader
 * (yaml), the local engine and deployed mode (AWS SDK). Nothing here runs at activation:
 * `lazy.ts` imports this module on first use.
 *
 * Each loader is itself a dynamic import, so loading this module evaluates nothing heavy:
 * the detector's first use does not initialise the AWS SDK. The build may emit this module
 * as its own bundle (dist/extension-lazy.js) so activation does not even parse it.
 */
export const detector = () => import('../core/handlers/detect');
export const picker = () => import('../core/handlers/pick');
export const callbackStyle = () => import('../core/handlers/callback-style');
export const configReader = () => import('../core/config/scan');
export const session = () => import('../core/session');
export const history = () => import('../core/model/history');
export const localEnvironment = () => import('../core/runtime/local-environment');
export const childLocator = () => import('../core/runtime/child-locator');
export const nodeProbe = () => import('../core/runtime/node-probe');
export const remoteErrors = () => import('../core/deployed/errors');
export const listFunctions = () => import('../core/deployed/list-functions');
export const probeAttach = () => import('../core/deployed/probe/attach');
export const probeLayer = () => import('../core/deployed/probe/probe-layer');
export const endpointServer = () => import('../core/endpoint/server');
export const endpointBackends = () => import('../core/endpoint/backend-factory');
export const localEndpointKey = () => import('../core/deployed/local-endpoint-key');
export const callerRegion = () => import('../core/lambda/caller-region');
/** Invoke Warm Concurrently's counting and messages: small, but only its command needs them. */
export const burst = () => import('./burst');
