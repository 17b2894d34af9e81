/**
 * Identifiers the extension shares with package.json (checked by a unit test). Pure: no
 * `vscode`. Command ids come from the command table (command-registry.ts): a command named
 * `invokeWarm` there is `warmState.invokeWarm` here, in package.json and in keybindings.
 */
import type { CommandName } from './command-registry';

/** The id of a command of the table: `commandId('invokeWarm')` is `warmState.invokeWarm`. */
export function commandId<N extends CommandName>(name: N): `warmState.${N}` {
  return `warmState.${name}` as const;
}

/** The webview panel type, also used by the `onWebviewPanel:` activation event. */
export { PANEL_VIEW_TYPE } from '../webview-protocol/panel';

/** The extension's id (publisher.name), as `vscode.extensions.getExtension` takes it. */
export const EXTENSION_ID = 'warmstate.warm-state';

/** Languages whose files can hold Lambda handlers (and activate the extension). */
export const HANDLER_LANGUAGES = ['javascript', 'typescript'] as const;
