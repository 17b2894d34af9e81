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
import { load } from './lazy';
import type { PanelManager } from './panel-host';
import type { HandlerSession, SessionStore } from './sessions';

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
    const event = await this.loadEvent(ref, session);
    if (!event) return undefined;
    const willBeCold = cold || session.status() === undefined || session.status()?.state === 'cold';
    const running = session.invoke(event.event, cold);
    if (willBeCold) showProgressAfterDelay(`Warm State: cold start of ${handlerLabel(ref)}…`, running);
    const outcome = await running;
    if (!outcome.ok) {
      this.showFailure(`Warm State: ${outcome.message}`);
      return undefined;
    }
    return outcome.record;
  }

  /**
   * Invoke Warm Concurrently: asks how many, then starts that many invocations of the handler
   * at once with its chosen event, through its session (Managed Instances: the same environment
   * up to its concurrency; else one environment each). Resolves to the records of those that
   * ran, in the order they were started; undefined when nothing was started. Throttled ones and
   * failed ones are told in one message each, not one per invocation.
   */
  async invokeConcurrently(args: CommandArgs): Promise<InvocationRecord[] | undefined> {
    const ref = await targetHandler(this.deps, args);
    if (!ref) return undefined;
    const label = handlerLabel(ref);
    const session = this.deps.sessions.getOrCreate(ref);
    const { BURST_MAX, BURST_MIN, burstSizeProblem, defaultBurstSize, failedMessage, parseBurstSize, summarizeBurst, throttledMessage } = await load('burst');
    const managed = await session.managedInstances();
    const answer = await vscode.window.showInputBox({
      title: `Warm State: Invoke ${label} Concurrently`,
      prompt: `How many invocations to start at once (${BURST_MIN} to ${BURST_MAX}). ${managed ? `Managed Instances: up to ${managed.concurrency} in flight per environment.` : 'Each one in flight gets an environment of its own, as Lambda scales out.'}`,
      value: String(defaultBurstSize(managed)),
      validateInput: burstSizeProblem,
    });
    if (answer === undefined) return undefined;
    const size = parseBurstSize(answer);
    if (size === undefined) {
      void vscode.window.showErrorMessage(`Warm State: "${answer}" is not a number of invocations: ${burstSizeProblem(answer)}`);
      return undefined;
    }
    this.deps.panels.show(ref, true);
    const event = await this.loadEvent(ref, session);
    if (!event) return undefined;
    // All started before any is awaited: they are in flight together (the session decides where each runs).
    const running = Promise.all(Array.from({ length: size }, () => session.invoke(event.event, false)));
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Warm State: ${size} invocations of ${label} in flight…`, cancellable: false }, () => running);
    const burst = summarizeBurst(await running);
    const throttled = throttledMessage(label, size, burst.throttled);
    if (throttled) void vscode.window.showWarningMessage(throttled);
    const failed = failedMessage(size, burst.failures);
    if (failed) this.showFailure(failed);
    return burst.records;
  }

  /** The handler's chosen event; undefined (the problem shown, with a way to choose another) when it cannot be read. */
  private async loadEvent(ref: HandlerRef, session: HandlerSession): Promise<{ event: unknown } | undefined> {
    const event = await this.deps.events.load(ref);
    if (event.ok) return event;
    session.reportProblem(event.message);
    void vscode.window.showErrorMessage(`Warm State: ${event.message}`, 'Select Event...').then((choice) => {
      if (choice) void vscode.commands.executeCommand(commandId('selectEvent'), ref.fileUri, ref.exportName);
    });
    return undefined;
  }

  private showFailure(message: string): void {
    void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
      if (choice) this.deps.log.show();
    });
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
