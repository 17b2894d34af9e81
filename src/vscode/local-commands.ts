/**
 * The commands on local environments. Each takes the parsed `(fileUri, exportName)`
 * arguments (CodeLens, status bar, panel, tests) and otherwise works on the active editor's
 * handler (command-target.ts). Invocations resolve to the new InvocationRecord, or undefined
 * when nothing ran (the reason was shown to the user). Registered, with the workspace-trust
 * check, by command-registry.ts.
 */
import * as vscode from 'vscode';
import type { InvocationRecord } from '../core/model/snapshot';
import type { CommandArgs } from './command-args';
import { commandId } from './command-ids';
import { targetHandler } from './command-target';
import type { EventService } from './event-service';
import type { HandlerIndex } from './handler-index';
import { handlerLabel, type HandlerRef } from './handler-key';
import type { PanelManager } from './panel-host';
import type { SessionStore } from './sessions';

/** A cold start that takes longer than this gets a progress notification. */
const PROGRESS_DELAY_MS = 500;

export interface LocalCommandDeps {
  sessions: SessionStore;
  events: EventService;
  panels: PanelManager;
  handlers: HandlerIndex;
  log: vscode.LogOutputChannel;
}

export class LocalCommands {
  constructor(private readonly deps: LocalCommandDeps) {}

  /** Invoke Warm (`cold` false) and Invoke Cold: resolves to the record, undefined when nothing ran. */
  async invoke(args: CommandArgs, cold: boolean): Promise<InvocationRecord | undefined> {
    const ref = await targetHandler(this.deps, args);
    if (!ref) return undefined;
    const session = this.deps.sessions.getOrCreate(ref);
    this.deps.panels.show(ref, true);
    const event = await this.deps.events.load(ref);
    if (!event.ok) {
      session.reportProblem(event.message);
      void vscode.window.showErrorMessage(`Warm State: ${event.message}`, 'Select Event...').then((choice) => {
        if (choice) void vscode.commands.executeCommand(commandId('selectEvent'), ref.fileUri, ref.exportName);
      });
      return undefined;
    }
    const willBeCold = cold || session.status() === undefined || session.status()?.state === 'cold';
    const running = session.invoke(event.event, cold);
    if (willBeCold) showProgressAfterDelay(`Warm State: cold start of ${handlerLabel(ref)}…`, running);
    const outcome = await running;
    if (!outcome.ok) {
      void vscode.window.showErrorMessage(`Warm State: ${outcome.message}`, 'Show Log').then((choice) => {
        if (choice) this.deps.log.show();
      });
      return undefined;
    }
    return outcome.record;
  }

  async resetEnvironment(args: CommandArgs): Promise<void> {
    const ref = await targetHandler(this.deps, args);
    if (!ref) return;
    const session = this.deps.sessions.get(ref);
    if (!session || !session.status() || session.status()?.state === 'cold') {
      void vscode.window.showInformationMessage(`Warm State: ${handlerLabel(ref)} has no running environment; the next invocation is cold anyway.`);
      return;
    }
    await session.reset();
  }

  /** The third argument, when given, is an event choice id (see event-choice.ts); else the user picks. */
  async selectEvent(args: CommandArgs): Promise<string | undefined> {
    const ref = await targetHandler(this.deps, args);
    if (!ref) return undefined;
    if (args.extra === undefined) return this.deps.events.pick(ref);
    if (await this.deps.events.setChoice(ref, args.extra)) return args.extra;
    void vscode.window.showErrorMessage(`Warm State: "${args.extra}" is not an event choice (use empty, sample:<id> or uri:<uri>).`);
    return undefined;
  }

  async showPanel(args: CommandArgs): Promise<void> {
    const ref = await targetHandler(this.deps, args);
    if (ref) this.deps.panels.show(ref);
  }

  /** Opens the handler's source at its export (links in tooltips): needs both arguments. */
  async revealHandler(args: CommandArgs): Promise<void> {
    if (!args.handler) {
      void vscode.window.showErrorMessage('Warm State: Go to Handler needs a file and an export name.');
      return;
    }
    const ref: HandlerRef = args.handler;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(ref.fileUri));
    const candidate = (await this.deps.handlers.candidates(document)).find((c) => c.exportName === ref.exportName);
    const line = candidate ? candidate.line - 1 : 0;
    const position = new vscode.Position(line, candidate?.column ?? 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position) });
  }
}

function showProgressAfterDelay(title: string, work: Promise<unknown>): void {
  let finished = false;
  void work.finally(() => (finished = true));
  setTimeout(() => {
    if (finished) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, () => work.catch(() => undefined));
  }, PROGRESS_DELAY_MS);
}
