/**
 * The event each handler is invoked with: the remembered choice (workspaceState), the
 * quick pick (workspace `events/*.json`, bundled samples, `{}`, "Edit event..."), and
 * loading the chosen JSON with a clear message when it is invalid.
 */
import * as vscode from 'vscode';
import {
  DEFAULT_EVENT_CHOICE,
  SAMPLE_EVENTS,
  eventChoiceLabel,
  parseEventChoice,
  parseEventJson,
  sampleChoiceId,
  uriChoiceId,
} from './event-choice';
import { handlerKey, handlerLabel, type HandlerRef } from './handler-key';

const STATE_PREFIX = 'warmState.event:';

export type LoadedEvent = { ok: true; event: unknown; label: string } | { ok: false; message: string };

interface ChoiceItem extends vscode.QuickPickItem {
  choice?: string;
  edit?: true;
}

export class EventService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HandlerRef>();
  /** Fires when a handler's event choice changes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly extensionUri: vscode.Uri,
  ) {}

  choice(ref: HandlerRef): string {
    const stored = this.state.get<string>(STATE_PREFIX + handlerKey(ref));
    return stored !== undefined && parseEventChoice(stored) ? stored : DEFAULT_EVENT_CHOICE;
  }

  /** Display name for the panel; null for the default `{}`. */
  label(ref: HandlerRef): string | null {
    const choice = this.choice(ref);
    return choice === DEFAULT_EVENT_CHOICE ? null : eventChoiceLabel(choice, workspaceRelative);
  }

  async setChoice(ref: HandlerRef, choice: string): Promise<boolean> {
    if (!parseEventChoice(choice)) return false;
    await this.state.update(STATE_PREFIX + handlerKey(ref), choice === DEFAULT_EVENT_CHOICE ? undefined : choice);
    this.changed.fire(ref);
    return true;
  }

  /** Shows the quick pick; resolves to the new choice, or undefined when dismissed. */
  async pick(ref: HandlerRef): Promise<string | undefined> {
    const current = this.choice(ref);
    const items: ChoiceItem[] = [];
    const files = await vscode.workspace.findFiles('**/events/**/*.json', '**/node_modules/**', 500);
    files.sort((a, b) => a.path.localeCompare(b.path));
    if (files.length > 0) {
      items.push({ label: 'Workspace events', kind: vscode.QuickPickItemKind.Separator });
      for (const file of files) {
        const choice = uriChoiceId(file.toString());
        items.push({ label: `$(json) ${vscode.workspace.asRelativePath(file)}`, choice, description: choice === current ? 'current' : undefined });
      }
    }
    items.push({ label: 'Sample events', kind: vscode.QuickPickItemKind.Separator });
    for (const sample of SAMPLE_EVENTS) {
      const choice = sampleChoiceId(sample.id);
      items.push({ label: `$(symbol-event) ${sample.label}`, description: choice === current ? `${sample.description} · current` : sample.description, choice });
    }
    items.push({ label: 'Other', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '$(circle-slash) Empty event {}', choice: DEFAULT_EVENT_CHOICE, description: current === DEFAULT_EVENT_CHOICE ? 'current' : undefined });
    const currentUri = parseEventChoice(current);
    if (currentUri?.kind === 'uri' && currentUri.uri.startsWith('untitled:')) {
      items.push({ label: '$(edit) Edited event (unsaved)', choice: current, description: 'current' });
    }
    items.push({ label: '$(new-file) Edit event...', detail: 'Open a JSON document with the current event; its text is used when invoking', edit: true });
    const picked = await vscode.window.showQuickPick(items, { title: `Event for ${handlerLabel(ref)}`, placeHolder: 'Choose the event the handler is invoked with', matchOnDescription: true });
    if (!picked) return undefined;
    if (picked.edit) return this.edit(ref);
    if (picked.choice === undefined) return undefined;
    await this.setChoice(ref, picked.choice);
    return picked.choice;
  }

  /** Opens an untitled JSON document with the current event's text; that document becomes the choice. */
  async edit(ref: HandlerRef): Promise<string | undefined> {
    const text = await this.text(this.choice(ref));
    const document = await vscode.workspace.openTextDocument({ language: 'json', content: text.ok ? text.text : '{}\n' });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    const choice = uriChoiceId(document.uri.toString());
    await this.setChoice(ref, choice);
    return choice;
  }

  /** Loads and parses the handler's event. */
  async load(ref: HandlerRef): Promise<LoadedEvent> {
    const choice = this.choice(ref);
    const label = eventChoiceLabel(choice, workspaceRelative);
    const text = await this.text(choice);
    if (!text.ok) return text;
    const parsed = parseEventJson(text.text, `"${label}"`);
    return parsed.ok ? { ok: true, event: parsed.event, label } : parsed;
  }

  private async text(choiceId: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
    const choice = parseEventChoice(choiceId);
    if (!choice || choice.kind === 'empty') return { ok: true, text: '{}\n' };
    const uri = choice.kind === 'sample' ? vscode.Uri.joinPath(this.extensionUri, 'resources', 'events', `${choice.sample.id}.json`) : vscode.Uri.parse(choice.uri, true);
    // An open document's current text wins, so unsaved edits are what runs.
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (open) return { ok: true, text: open.getText() };
    if (uri.scheme === 'untitled') return { ok: false, message: 'The edited event document was closed. Choose the event again (Warm State: Select Event...).' };
    try {
      return { ok: true, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) };
    } catch (error) {
      return { ok: false, message: `Cannot read the event ${eventChoiceLabel(choiceId, workspaceRelative)}: ${error instanceof Error ? error.message : String(error)}. Choose another one (Warm State: Select Event...).` };
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function workspaceRelative(uri: string): string | undefined {
  const parsed = vscode.Uri.parse(uri);
  if (parsed.scheme !== 'file') return undefined;
  const relative = vscode.workspace.asRelativePath(parsed, false);
  return relative === parsed.fsPath ? undefined : relative;
}
