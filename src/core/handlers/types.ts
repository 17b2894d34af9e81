/** A function exported from a handler file that Lambda could call. */
export interface HandlerCandidate {
  /** The export name as Lambda's handler string uses it (`test` in `handler.test`), `default` for a default export. */
  exportName: string;
  /** 1-based line and 0-based column of the export (where a CodeLens goes). */
  line: number;
  column: number;
  /** Declared parameter count when known (a handler takes at most 3: event, context, callback). */
  params: number | null;
  /** `async function`, arrow, plain function, or a value whose kind is unknown (e.g. `middy(fn)`). */
  shape: 'async-function' | 'function' | 'unknown';
  /** How sure we are: `certain` when named by a SAM template or serverless.yml. */
  confidence: 'certain' | 'likely' | 'possible';
  /**
   * Added by the detector (optional, so other producers need not fill it): last 1-based line of
   * the export statement. `line..endLine` is the export site; for `export const x = () => {...}`
   * it spans the whole function.
   */
  endLine?: number;
  /**
   * Added by the detector: 1-based first and last line of the function (or wrapped value) the
   * export refers to when it is defined in this file. Differs from `line..endLine` for
   * reference forms such as `export { x }` or `module.exports = { x }`, where the function is
   * declared elsewhere in the file. `handlerAt` uses both ranges.
   */
  definition?: { line: number; endLine: number };
  /**
   * Added by the detector: the exported function is written in this file and declares 3 or more
   * parameters before any default or rest one (its `length`, which is what Lambda's runtime
   * client counts): a callback handler, which the 4.x client (nodejs24.x) refuses at init with
   * Runtime.CallbackHandlerDeprecated. False for anything else, wrapped values included: a
   * streaming handler is wrapped in `awslambda.streamifyResponse(...)`, and the client lets
   * those through.
   */
  callbackStyle?: boolean;
  /** Added by the detector with `callbackStyle`: where the parameter list is, for a diagnostic. */
  parameterList?: SourceRange;
}

/** 1-based lines, 0-based columns, in the original source (TypeScript included); end exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}
