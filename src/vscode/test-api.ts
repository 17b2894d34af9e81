/**
 * What `activate()` returns, read by the integration suite through
 * `vscode.extensions.getExtension('warmstate.warm-state').exports.testApi`.
 *
 * Read-only views of the extension host's state, keyed by handler: `fileUri` is the
 * file's URI string (`vscode.Uri.toString()`, any equivalent spelling is normalised) and
 * `exportName` the export as Lambda's handler string names it (`test`, `default`, `app.handler`).
 *
 * Driving the extension is done through its commands (the table in `command-registry.ts`), which
 * all accept `(fileUri: string, exportName: string)`:
 * - `warmState.invokeWarm` / `warmState.invokeCold` resolve to the new InvocationRecord
 *   once the invocation finished (undefined when nothing ran: restricted workspace,
 *   invalid event JSON, engine failure, which are reported to the user instead);
 * - `warmState.invokeConcurrently` asks how many (an input box), then resolves to the
 *   records of the invocations of the burst that ran;
 * - `warmState.resetEnvironment` resolves once the process is gone;
 * - `warmState.selectEvent(fileUri, exportName, choiceId)` sets the event without a
 *   quick pick (`sample:s3-put`, `uri:<file uri>`, `empty`; see event-choice.ts);
 * - `warmState.showPanel` resolves once the panel exists (its first state follows the
 *   webview's ready handshake: poll `lastPanelState`).
 */
import type { InvocationRecord } from '../core/model/snapshot';
import type { EnvironmentStatus } from '../core/runtime/environment-api';
import type { PanelState } from '../webview-protocol/panel';

export interface WarmStateTestApi {
  /** Invocations kept for the handler, oldest first (bounded by `warmState.historyLength`). */
  history(fileUri: string, exportName: string): readonly InvocationRecord[];
  /** The handler's environment status, undefined when no environment was created yet. */
  environmentStatus(fileUri: string, exportName: string): EnvironmentStatus | undefined;
  /** The state of the last `state` message posted to the handler's panel; undefined when no panel or not ready yet. */
  lastPanelState(fileUri: string, exportName: string): PanelState | undefined;
  /** True when a panel for the handler is open (restored ones included). */
  hasPanel(fileUri: string, exportName: string): boolean;
  /** The remembered event choice id for the handler (`empty` by default). */
  eventChoice(fileUri: string, exportName: string): string;
  /** Which `node` runs handlers and why (setting, PATH, or the editor's runtime). */
  nodeRuntime(): { path: string; source: 'setting' | 'path' | 'editor' } | undefined;
}

/** The exports of the extension (`activate()`'s result). */
export interface WarmStateExports {
  /**
   * Only when the extension runs under tests or from a development folder: captured values
   * of the user's functions are not offered to every other installed extension.
   */
  testApi?: WarmStateTestApi;
}
