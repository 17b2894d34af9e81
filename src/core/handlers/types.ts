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
}
