/**
 * Function settings from SAM / CloudFormation templates and serverless.yml.
 * Editor-agnostic; used by the CLI (`--template/--resource`) and the extension.
 */
export type { ConfigKind, ConfigProblem, ConfigScan, FunctionConfig, SettingName } from './types';
export { scanWorkspaceConfigs, findDeclaringFunction, findFunctionForHandler, findFunctionsForHandler, declaredExportsForFile, resolveTemplateFunction, ConfigError, type ScanOptions } from './scan';
export { isNodeRuntime, runtimeNodeMajor } from './runtime';
export { parseHandlerString, HANDLER_EXTENSIONS, type ParsedHandlerString } from './handler-file';
export { discoverConfigFiles, type DiscoveredConfigFile } from './discover';
