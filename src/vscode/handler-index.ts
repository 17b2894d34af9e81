/**
 * Which handlers a document holds: detection from the syntax tree (cached per document
 * version) with the exports that a SAM template or serverless.yml names marked certain.
 *
 * The detector (acorn + sucrase) and the template reader (yaml) are loaded on first use
 * with dynamic imports, so activation does not evaluate them.
 */
import * as vscode from 'vscode';
import type { HandlerCandidate } from '../core/handlers/types';
import type { ConfigIndex } from './config-index';

interface CachedDetection {
  version: number;
  candidates: HandlerCandidate[];
  parseError: string | undefined;
}

import { load } from './lazy';

type Detector = Awaited<ReturnType<typeof import('./lazy-entry').detector>>;
type Picker = Awaited<ReturnType<typeof import('./lazy-entry').picker>>;

export class HandlerIndex implements vscode.Disposable {
  private readonly cache = new Map<string, CachedDetection>();
  private detector: Promise<[Detector, Picker]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the template-declared handlers change (documents re-detect on their own edits). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly configs: ConfigIndex) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidCloseTextDocument((document) => this.cache.delete(document.uri.toString())),
      configs.onDidChange(() => this.invalidate()),
    );
  }

  private loadDetector(): Promise<[Detector, Picker]> {
    this.detector ??= Promise.all([load('detector'), load('picker')]);
    return this.detector;
  }

  /** Candidates of a JS/TS document, template-declared exports marked certain. Never throws. */
  async candidates(document: vscode.TextDocument): Promise<HandlerCandidate[]> {
    return (await this.detect(document)).candidates;
  }

  async detect(document: vscode.TextDocument): Promise<CachedDetection> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached;
    const [{ detectHandlersWithDiagnostics }, { markDeclaredHandlers }] = await this.loadDetector();
    const result = detectHandlersWithDiagnostics(document.getText(), document.fileName);
    const declared = document.uri.scheme === 'file' ? await this.configs.declaredExports(document.uri.fsPath) : [];
    const detection: CachedDetection = {
      version: document.version,
      candidates: declared.length > 0 ? markDeclaredHandlers(result.candidates, declared) : result.candidates,
      parseError: result.error ? `${result.error.message}${result.error.line ? ` (line ${result.error.line})` : ''}` : undefined,
    };
    this.cache.set(key, detection);
    return detection;
  }

  /** The handler a file runs by default (the only one, the only certain one...), for the status bar. */
  async defaultHandler(document: vscode.TextDocument, cursorLine: number): Promise<HandlerCandidate | undefined> {
    const candidates = await this.candidates(document);
    const [, { handlerAt, pickDefaultHandler }] = await this.loadDetector();
    const under = handlerAt(candidates, cursorLine);
    if (under) return under;
    const picked = pickDefaultHandler(candidates);
    return 'handler' in picked ? picked.handler : undefined;
  }

  /** Forget cached detections (template changes alter the certainty marks). */
  invalidate(): void {
    this.cache.clear();
    this.changed.fire();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.cache.clear();
  }
}
