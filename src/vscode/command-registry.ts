/**
 * Every command of the extension in one table, like rust-analyzer's `editors/code` command
 * table: its name (the id is `warmState.<name>`, see command-ids.ts), what it needs of the
 * workspace's trust, and its handler. `registerCommands` registers the whole table through
 * one wrapper, so the trust check, its message and argument validation are the same for
 * every command. package.json's `contributes.commands` lists the same ids (a unit test
 * checks both ways).
 */
import * as vscode from 'vscode';
import { parseCommandArgs, type CommandArgs } from './command-args';
import { commandId } from './command-ids';
import type { DeployedController } from './deployed/deployed-controller';
import type { LocalCommands } from './local-commands';

/**
 * Why a command needs a trusted workspace (VS Code's Restricted Mode): it runs the
 * workspace's handler code (in a local process, or the deployed function with the user's
 * credentials), or it changes a deployed function. `none`: it runs nothing of the workspace's.
 */
export type TrustRequirement = 'none' | 'runs-handler-code' | 'changes-deployed-function';

/** What the handlers work with. */
export interface CommandTargets {
  local: LocalCommands;
  deployed: DeployedController;
  log: vscode.LogOutputChannel;
}

export interface CommandSpec {
  trust: TrustRequirement;
  /** Makes no sense without its arguments: hidden from the palette (`when: false` in package.json). */
  argumentsRequired?: true;
  /** Resolves to the command's result (for callers and tests); undefined when nothing was done. */
  run(targets: CommandTargets, args: CommandArgs): Promise<unknown>;
}

export const COMMAND_TABLE = {
  /** Invoke the handler in its warm environment (starts it when cold). Resolves to the InvocationRecord. */
  invokeWarm: { trust: 'runs-handler-code', run: (t, args) => t.local.invoke(args, false) },
  /** Reset the environment, then invoke: a cold start. Resolves to the InvocationRecord. */
  invokeCold: { trust: 'runs-handler-code', run: (t, args) => t.local.invoke(args, true) },
  /** Asks how many, then starts that many invocations at once (a burst). Resolves to the records of those that ran. */
  invokeConcurrently: { trust: 'runs-handler-code', run: (t, args) => t.local.invokeConcurrently(args) },
  /** End the handler's environment; the next invocation is cold. */
  resetEnvironment: { trust: 'none', run: (t, args) => t.local.resetEnvironment(args) },
  /** Choose the event for the handler; optional third argument: an event choice id (see event-choice.ts). */
  selectEvent: { trust: 'none', run: (t, args) => t.local.selectEvent(args) },
  /** Open or reveal the handler's panel. */
  showPanel: { trust: 'none', run: (t, args) => t.local.showPanel(args) },
  /** Show the output channel with the engine's log. */
  showLog: { trust: 'none', run: async (t) => t.log.show() },
  /** In a restricted (untrusted) workspace: explains why nothing runs and offers to manage trust. */
  explainRestrictedMode: { trust: 'none', run: () => explainRestrictedMode() },
  /** Opens the handler's source at its export. Used by links in tooltips. */
  revealHandler: { trust: 'none', argumentsRequired: true, run: (t, args) => t.local.revealHandler(args) },
  /** Invoke the deployed function mapped to the handler; resolves to the InvocationRecord. */
  invokeDeployed: { trust: 'runs-handler-code', run: (t, args) => t.deployed.invoke(args) },
  /** Choose (again) which deployed function a handler maps to. */
  chooseDeployedFunction: { trust: 'none', run: (t, args) => t.deployed.chooseFunction(args) },
  attachProbe: { trust: 'changes-deployed-function', run: (t, args) => t.deployed.attachProbe(args) },
  detachProbe: { trust: 'changes-deployed-function', run: (t, args) => t.deployed.detachProbe(args) },
  /** Serves the handler on the local Lambda endpoint; resolves to its URL. */
  startLocalEndpoint: { trust: 'runs-handler-code', run: (t, args) => t.deployed.startLocalEndpoint(args) },
  stopLocalEndpoint: { trust: 'none', run: (t) => t.deployed.stopLocalEndpoint() },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_TABLE;

/** Registers every command of the table; the only place the extension registers commands. */
export function registerCommands(targets: CommandTargets): vscode.Disposable[] {
  return (Object.entries(COMMAND_TABLE) as [CommandName, CommandSpec][]).map(([name, spec]) =>
    vscode.commands.registerCommand(commandId(name), async (...raw: unknown[]) => {
      if (spec.trust !== 'none' && !vscode.workspace.isTrusted) {
        // Not awaited: the command resolves (to undefined) while the notice waits for the user.
        void explainRestrictedMode();
        return undefined;
      }
      // Any extension or keybinding can pass arbitrary arguments: validated, never guessed.
      const parsed = parseCommandArgs(raw);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`Warm State: ${parsed.message}`);
        return undefined;
      }
      return spec.run(targets, parsed.value);
    }),
  );
}

/** The one message for every command refused in Restricted Mode, also the `explainRestrictedMode` command. */
async function explainRestrictedMode(): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    'Warm State runs your handler code (in a Node.js process, or the deployed function) and changes deployed functions only in a trusted workspace, so this is disabled in Restricted Mode. Trust this workspace to invoke handlers.',
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}
