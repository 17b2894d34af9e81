/**
 * A next step for errors that mean "this works on Lambda, not here yet", shown under the error
 * (the error itself stays as the runtime reports it).
 */
import type { LambdaError } from '../model/snapshot';

/** require()'s and import()'s words for a package that is not installed. */
const MISSING_SDK_PACKAGE = /Cannot find (?:module|package) '(@aws-sdk\/[a-z0-9-]+)/;

export function errorHint(error: LambdaError): string | null {
  const sdkPackage = MISSING_SDK_PACKAGE.exec(error.errorMessage)?.[1];
  if (sdkPackage) {
    return `Lambda's Node.js runtimes include the AWS SDK for JavaScript v3, so this works there; locally, install it in your project: npm install --save-dev ${sdkPackage}`;
  }
  return null;
}
