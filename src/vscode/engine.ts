/**
 * The boundary to the engine: the only module that loads the core session and the local
 * environment, and only with dynamic imports, so nothing of the engine runs at activation.
 * User code never runs here: the environment runs it in a child `node` process.
 */
import type { HistoryOptions, InvocationHistory } from '../core/model/history';
import type { EnvironmentFactory, EnvironmentOptions } from '../core/runtime/environment-api';
import type { WarmSession, WarmSessionOptions } from '../core/session';
import { load } from './lazy';

/** What a handler's session needs of the engine (tests pass doubles). */
export interface Engine {
  /** Local environments with these options, their records masked. */
  localEnvironments(options: EnvironmentOptions): Promise<EnvironmentFactory>;
  createSession(options: WarmSessionOptions): Promise<WarmSession>;
  /** The analysis is loaded with the engine too: activation only reads saved records. */
  createHistory(options: HistoryOptions): Promise<InvocationHistory>;
}

/** The real engine, loaded on first use. */
export const LAZY_ENGINE: Engine = {
  localEnvironments: async (options) => (await load('session')).localEnvironments(options),
  createSession: async (options) => new (await load('session')).WarmSession(options),
  createHistory: async (options) => new (await load('history')).InvocationHistory(options),
};
