/**
 * Command identifiers of the extension, shared by the registration code, the CodeLens,
 * the status bar, the tests and package.json (checked by a unit test). Pure: no `vscode`.
 *
 * Every command taking a handler accepts optional `(fileUri: string, exportName: string)`
 * arguments; without them it works on the handler under the cursor of the active editor.
 */
export const COMMANDS = {
  /** Invoke the handler in its warm environment (starts it when cold). Resolves to the InvocationRecord. */
  invokeWarm: 'warmState.invokeWarm',
  /** Reset the environment, then invoke: a cold start. Resolves to the InvocationRecord. */
  invokeCold: 'warmState.invokeCold',
  /** End the handler's environment; the next invocation is cold. */
  resetEnvironment: 'warmState.resetEnvironment',
  /** Choose the event for the handler; optional third argument: an event choice id (see event-choice.ts). */
  selectEvent: 'warmState.selectEvent',
  /** Open or reveal the handler's panel. */
  showPanel: 'warmState.showPanel',
  /** Show the output channel with the engine's log. */
  showLog: 'warmState.showLog',
  /** In a restricted (untrusted) workspace: explains why nothing runs and offers to manage trust. */
  explainRestrictedMode: 'warmState.explainRestrictedMode',
  /** Argument-only: opens the handler's source at its export. Used by links in tooltips. */
  revealHandler: 'warmState.revealHandler',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Commands that make no sense without arguments: hidden from the palette (`when: false`). */
export const ARGUMENT_ONLY_COMMANDS: readonly CommandId[] = [COMMANDS.revealHandler];

/** The webview panel type, also used by the `onWebviewPanel:` activation event. */
export { PANEL_VIEW_TYPE } from '../webview-protocol/panel';

/** The extension's id (publisher.name), as `vscode.extensions.getExtension` takes it. */
export const EXTENSION_ID = 'warmstate.warm-state';

/** Languages whose files can hold Lambda handlers (and activate the extension). */
export const HANDLER_LANGUAGES = ['javascript', 'typescript'] as const;
