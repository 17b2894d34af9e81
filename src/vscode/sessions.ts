/** The handler sessions of this window, with one change event for every view. */
import * as vscode from 'vscode';
import { handlerKey, type HandlerRef } from './handler-key';
import { HandlerSession, type SessionDeps } from './handler-session';

export { HandlerSession, type InvokeOutcome, type SessionDeps } from './handler-session';

export class SessionStore implements vscode.Disposable {
  private readonly sessions = new Map<string, HandlerSession>();
  private readonly changedEmitter = new vscode.EventEmitter<HandlerSession>();
  readonly onDidChange = this.changedEmitter.event;

  constructor(private readonly deps: SessionDeps) {}

  get(ref: HandlerRef): HandlerSession | undefined {
    return this.sessions.get(handlerKey(ref));
  }

  getOrCreate(ref: HandlerRef): HandlerSession {
    const key = handlerKey(ref);
    let session = this.sessions.get(key);
    if (!session) {
      session = new HandlerSession(ref, this.deps, (changed) => this.changedEmitter.fire(changed));
      this.sessions.set(key, session);
    }
    return session;
  }

  all(): HandlerSession[] {
    return [...this.sessions.values()];
  }

  /** Ends every child process; awaited by deactivate() so none outlives the extension host. */
  async disposeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.dispose()));
  }

  dispose(): void {
    void this.disposeAll();
    this.changedEmitter.dispose();
  }
}
