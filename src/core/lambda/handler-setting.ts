/**
 * The function's Handler setting read as Lambda's runtime interface clients read it (the same
 * in 3.x and 4.x): `..` anywhere is refused, the module root is everything before the last
 * path segment, the module name runs up to that segment's first dot and the rest is a dotted
 * export path. 3.x: `src/UserFunction.js` (`_throwIfInvalidHandler`, `_moduleRootAndHandler`,
 * `_splitHandlerString`); 4.x: `UserFunctionLoader.validateHandlerString`, `parseHandlerString`.
 */
import { posix } from 'node:path';
import type { LambdaError } from '../model/snapshot';

export interface HandlerSetting {
  /** Folder below the task root (`src/` in `src/app.handler`), `''` when none. */
  moduleRoot: string;
  /** `app` in `src/app.handler`: a file name without extension, or a package name. */
  moduleName: string;
  /** `handler` in `src/app.handler`; `nested.fn` in `app.nested.fn`. */
  exportPath: string;
}

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function malformed(errorMessage: string): LambdaError {
  return { errorType: 'Runtime.MalformedHandlerName', errorMessage, trace: [] };
}

/** The parts of a Handler setting, or the init error the clients give for it. */
export function parseHandlerSetting(setting: string): HandlerSetting | LambdaError {
  if (setting.includes('..')) {
    return malformed(`'${setting}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  // The clients use path.basename and the first occurrence of it (POSIX paths on Lambda).
  const last = posix.basename(setting);
  const moduleRoot = setting.substring(0, setting.indexOf(last));
  const match = FUNCTION_EXPR.exec(last);
  if (!match) return malformed('Bad handler');
  return { moduleRoot, moduleName: match[1] ?? '', exportPath: match[2] ?? '' };
}

export function isHandlerSettingError(parsed: HandlerSetting | LambdaError): parsed is LambdaError {
  return 'errorType' in parsed;
}
