/**
 * The commands. Each accepts optional `(fileUri, exportName)` arguments (CodeLens, status
 * bar, panel, tests) and otherwise works on the active editor's handler: the one under the
 * cursor, else the only one in the file, else a quick pick. Invocations resolve to the new
 * InvocationRecord, or undefined when nothing ran (the reason was shown to the user).
 */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../core/model/snapshot';
import type { HandlerCandidate } from '../core/handlers/types';
import { COMMANDS, HANDLER_LANGUAGES } from './command-ids';
import { parseCommandArgs, resolveHandler, type CommandArgs } from './command-args';
import type { EventService } from './event-service';
import type { HandlerIndex } from './handler-index';
import { handlerLabel, type HandlerRef } from './handler-key';
import type { PanelManager } from './panel-host';
import type { SessionStore } from './sessions';

/** A cold start that takes longer than this gets a progress notification. */
const PROGRESS_DELAY_MS = 500;

export interface CommandDeps {
  sessions: SessionStore;
  events: EventService;
  panels: PanelManager;
  handlers: HandlerIndex;
  log: vscode.LogOutputChannel;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const register = (id: string, run: (args: CommandArgs) => Promise<unknown>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...raw: unknown[]) => {
      const parsed = parseCommandArgs(raw);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`Warm State: ${parsed.message}`);
        return undefined;
      }
      return run(parsed.value);
    });

  const withHandler = <T>(run: (ref: HandlerRef, args: CommandArgs) => Promise<T>) => async (args: CommandArgs): Promise<T | undefined> => {
    const ref = await targetHandler(deps, args);
    return ref ? run(ref, args) : undefined;
  };

  return [
    register(COMMANDS.invokeWarm, withHandler((ref) => invoke(deps, ref, false))),
    register(COMMANDS.invokeCold, withHandler((ref) => invoke(deps, ref, true))),
    register(
      COMMANDS.resetEnvironment,
      withHandler(async (ref) => {
        const session = deps.sessions.get(ref);
        if (!session || !session.status() || session.status()?.state === 'cold') {
          void vscode.window.showInformationMessage(`Warm State: ${handlerLabel(ref)} has no running environment; the next invocation is cold anyway.`);
          return;
        }
        await session.reset();
      }),
    ),
    register(
      COMMANDS.selectEvent,
      withHandler(async (ref, args) => {
        if (args.extra === undefined) return deps.events.pick(ref);
        if (await deps.events.setChoice(ref, args.extra)) return args.extra;
        void vscode.window.showErrorMessage(`Warm State: "${args.extra}" is not an event choice (use empty, sample:<id> or uri:<uri>).`);
        return undefined;
      }),
    ),
    register(
      COMMANDS.showPanel,
      withHandler(async (ref) => {
        deps.panels.show(ref);
      }),
    ),
    register(COMMANDS.showLog, async () => deps.log.show()),
    register(COMMANDS.explainRestrictedMode, async () => explainRestrictedMode()),
    register(COMMANDS.revealHandler, async (args) => {
      if (!args.handler) {
        void vscode.window.showErrorMessage('Warm State: Go to Handler needs a file and an export name.');
        return;
      }
      await revealHandler(deps, args.handler);
    }),
  ];
}

async function invoke(deps: CommandDeps, ref: HandlerRef, cold: boolean): Promise<InvocationRecord | undefined> {
  if (!vscode.workspace.isTrusted) {
    // Not awaited: the command resolves (to undefined) while the notice waits for the user.
    void explainRestrictedMode();
    return undefined;
  }
  const session = deps.sessions.getOrCreate(ref);
  deps.panels.show(ref, true);
  const event = await deps.events.load(ref);
  if (!event.ok) {
    session.reportProblem(event.message);
    void vscode.window.showErrorMessage(`Warm State: ${event.message}`, 'Select Event...').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.selectEvent, ref.fileUri, ref.exportName);
    });
    return undefined;
  }
  const willBeCold = cold || session.status() === undefined || session.status()?.state === 'cold';
  const running = session.invoke(event.event, cold);
  if (willBeCold) showProgressAfterDelay(`Warm State: cold start of ${handlerLabel(ref)}…`, running);
  const outcome = await running;
  if (!outcome.ok) {
    void vscode.window.showErrorMessage(`Warm State: ${outcome.message}`, 'Show Log').then((choice) => {
      if (choice) deps.log.show();
    });
    return undefined;
  }
  return outcome.record;
}

function showProgressAfterDelay(title: string, work: Promise<unknown>): void {
  let finished = false;
  void work.finally(() => (finished = true));
  setTimeout(() => {
    if (finished) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, () => work.catch(() => undefined));
  }, PROGRESS_DELAY_MS);
}

async function explainRestrictedMode(): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    'Warm State runs your handler code in a Node.js process, so invoking is disabled in Restricted Mode. Trust this workspace to invoke handlers.',
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}

/**
 * The handler for raw command arguments, for commands registered elsewhere (deployed mode):
 * validates them like the commands here do; undefined when there is none (the user was told).
 */
export async function handlerForArgs(deps: Pick<CommandDeps, 'panels' | 'handlers'>, raw: readonly unknown[]): Promise<HandlerRef | undefined> {
  const parsed = parseCommandArgs(raw);
  if (!parsed.ok) {
    void vscode.window.showErrorMessage(`Warm State: ${parsed.message}`);
    return undefined;
  }
  return targetHandler(deps, parsed.value);
}

/** The handler a command works on: explicit arguments, the active panel, or the active editor. */
async function targetHandler(deps: Pick<CommandDeps, 'panels' | 'handlers'>, args: CommandArgs): Promise<HandlerRef | undefined> {
  if (args.handler) return { fileUri: vscode.Uri.parse(args.handler.fileUri).toString(), exportName: args.handler.exportName };
  let document: vscode.TextDocument | undefined;
  let cursorLine = 1;
  if (args.fileUri) {
    const uri = vscode.Uri.parse(args.fileUri);
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.toString() === uri.toString()) {
      document = editor.document;
      cursorLine = editor.selection.active.line + 1;
    } else {
      document = await vscode.workspace.openTextDocument(uri);
    }
  } else {
    const active = deps.panels.activeHandler();
    if (active) return active;
    const editor = vscode.window.activeTextEditor;
    document = editor?.document;
    cursorLine = editor ? editor.selection.active.line + 1 : 1;
  }
  const isHandlerLanguage = document !== undefined && (HANDLER_LANGUAGES as readonly string[]).includes(document.languageId);
  const detection = document && isHandlerLanguage ? await deps.handlers.detect(document) : undefined;
  const resolution = resolveHandler({ fileUri: document?.uri.toString(), isHandlerLanguage, cursorLine, candidates: detection?.candidates ?? [], parseError: detection?.parseError });
  switch (resolution.kind) {
    case 'handler':
      return resolution.handler;
    case 'none':
      void vscode.window.showInformationMessage(`Warm State: ${resolution.message}`);
      return undefined;
    case 'pick': {
      const picked = await vscode.window.showQuickPick(
        resolution.candidates.map((candidate) => ({ label: candidate.exportName, description: describeCandidate(candidate), candidate })),
        { title: 'Warm State: which handler?', placeHolder: 'This file exports several functions Lambda could call' },
      );
      return picked ? { fileUri: resolution.fileUri, exportName: picked.candidate.exportName } : undefined;
    }
  }
}

function describeCandidate(candidate: HandlerCandidate): string {
  const certainty = candidate.confidence === 'certain' ? 'declared in a template' : candidate.confidence;
  return `line ${candidate.line} · ${certainty}`;
}

async function revealHandler(deps: CommandDeps, ref: HandlerRef): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(ref.fileUri));
  const candidate = (await deps.handlers.candidates(document)).find((c) => c.exportName === ref.exportName);
  const line = candidate ? candidate.line - 1 : 0;
  const position = new vscode.Position(line, candidate?.column ?? 0);
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
}
