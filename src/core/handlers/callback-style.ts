/**
 * Callback handlers under a runtime that refuses them: Lambda's 4.x runtime client (nodejs24.x)
 * fails the init of a handler that declares 3 or more parameters and does not stream, with
 * Runtime.CallbackHandlerDeprecated. The CLI prints this before running such a handler; the
 * editor shows it on the handler's parameter list.
 */
import { callbackHandlerWarning, refusesCallbackHandlers, runtimeProfile, type RuntimeProfileName } from '../lambda/runtime-profiles';
import type { HandlerCandidate } from './types';

/** The warning for `candidate` under `profile`, or null when that runtime runs it. */
export function callbackRefusal(candidate: HandlerCandidate, profile: RuntimeProfileName): string | null {
  if (!candidate.callbackStyle || !refusesCallbackHandlers(runtimeProfile(profile))) return null;
  return callbackHandlerWarning(profile, candidate.shape === 'async-function');
}
