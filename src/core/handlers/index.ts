/** Handler detection, editor-agnostic: used by the CLI, CodeLens and the config checks. */
export type { HandlerCandidate, SourceRange } from './types';
export { detectHandlers, detectHandlersWithDiagnostics, type DetectionResult, type ParseProblem } from './detect';
export { pickDefaultHandler, handlerAt, markDeclaredHandlers, type PickResult } from './pick';
export { callbackRefusal } from './callback-style';
