/**
 * A stand-in for the `vscode` module, so tests can load the editor glue (src/vscode), and
 * activate the extension, in plain Node. Importing this module installs it for every later
 * `import 'vscode'`: import it before the modules under test. It has only what those tests
 * reach (no editor, no workspace folder, events nobody fires), and records what the extension
 * registers and shows so tests can assert on it; `fake.reset()` between tests.
 */
import Module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Callback = (...args: unknown[]) => unknown;

export interface Shown {
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface InputBoxOptions {
  title?: string;
  prompt?: string;
  value?: string;
  validateInput?(value: string): string | undefined | null;
}

/** What a test controls and observes. */
export const fake = {
  /** Command id -> callback, as `vscode.commands.registerCommand` received them. */
  commands: new Map<string, Callback>(),
  /** Every notification, in order. */
  shown: [] as Shown[],
  /** Commands the extension executed that it does not own (e.g. `workbench.trust.manage`). */
  executedElsewhere: [] as string[],
  /** Every input box asked for, in order (its options, `validateInput` included). */
  inputBoxes: [] as InputBoxOptions[],
  /** Titles of the progress notifications shown. */
  progress: [] as string[],
  /** What the next input boxes answer, in order (undefined: the user pressed Escape); none left: Escape. */
  inputAnswers: [] as (string | undefined)[],
  /** `vscode.workspace.isTrusted`. */
  trusted: true,
  /** Settings by full key (`warmState.localEndpoint.port`). */
  settings: {} as Record<string, unknown>,
  /** What diagnostic collections hold, by document URI string. */
  diagnostics: new Map<string, Diagnostic[]>(),
  /** Lines written to output channels (info, warn and error), in order. */
  logged: [] as string[],
  reset(): void {
    this.commands.clear();
    this.shown = [];
    this.executedElsewhere = [];
    this.inputBoxes = [];
    this.progress = [];
    this.inputAnswers = [];
    this.trusted = true;
    this.settings = {};
    this.diagnostics.clear();
    this.logged = [];
  },
};

/** The `vscode.Event` of something these tests never do (edit, change settings, ...). */
const quietEvent = () => (): { dispose(): void } => ({ dispose: () => undefined });

class EventEmitter<T> {
  private readonly listeners = new Set<(value: T) => void>();
  readonly event = (listener: (value: T) => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  private constructor(private readonly text: string) {}
  static parse(text: string): Uri {
    return new Uri(text);
  }
  static file(path: string): Uri {
    return new Uri(pathToFileURL(path).href);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.text.replace(/\/$/, ''), ...parts].join('/'));
  }
  get scheme(): string {
    return this.text.slice(0, this.text.indexOf(':'));
  }
  get fsPath(): string {
    return this.scheme === 'file' ? fileURLToPath(this.text) : this.text;
  }
  toString(): string {
    return this.text;
  }
}

class Position {
  constructor(readonly line: number, readonly character: number) {}
}

class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

class CodeLens {
  constructor(readonly range: Range, readonly command?: { title: string; command: string; tooltip?: string; arguments?: unknown[] }) {}
}

const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;

class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(readonly range: Range, readonly message: string, readonly severity: number = DiagnosticSeverity.Error) {}
}

function createDiagnosticCollection(name: string) {
  return {
    name,
    set: (uri: Uri, diagnostics: Diagnostic[]) => void fake.diagnostics.set(uri.toString(), [...diagnostics]),
    delete: (uri: Uri) => void fake.diagnostics.delete(uri.toString()),
    clear: () => fake.diagnostics.clear(),
    dispose: () => undefined,
  };
}

const show = (level: Shown['level']) => async (message: string): Promise<undefined> => {
  fake.shown.push({ level, message });
  return undefined;
};

const disposable = () => ({ dispose: () => undefined });
const logLine = (line: string): void => void fake.logged.push(line);
const logChannel = () => ({ info: logLine, warn: logLine, error: logLine, debug: () => undefined, trace: () => undefined, show: () => undefined, dispose: () => undefined });

const api = {
  Uri,
  EventEmitter,
  Position,
  Range,
  CodeLens,
  Diagnostic,
  DiagnosticSeverity,
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  commands: {
    registerCommand(id: string, callback: Callback): { dispose(): void } {
      if (fake.commands.has(id)) throw new Error(`command '${id}' already exists`);
      fake.commands.set(id, callback);
      return { dispose: () => fake.commands.delete(id) };
    },
    async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
      const callback = fake.commands.get(id);
      if (callback) return callback(...args);
      fake.executedElsewhere.push(id);
      return undefined;
    },
  },
  workspace: {
    get isTrusted(): boolean {
      return fake.trusted;
    },
    workspaceFolders: undefined,
    textDocuments: [] as unknown[],
    onDidChangeWorkspaceFolders: quietEvent(),
    onDidOpenTextDocument: quietEvent(),
    onDidCloseTextDocument: quietEvent(),
    onDidChangeTextDocument: quietEvent(),
    onDidGrantWorkspaceTrust: quietEvent(),
    onDidChangeConfiguration: quietEvent(),
    getConfiguration: (section: string) => ({ get: (key: string): unknown => fake.settings[`${section}.${key}`] }),
    // As VS Code does for a path outside every workspace folder (the tests open none).
    asRelativePath: (pathOrUri: string | Uri): string => (typeof pathOrUri === 'string' ? pathOrUri : pathOrUri.fsPath),
  },
  languages: { registerCodeLensProvider: disposable, createDiagnosticCollection },
  window: {
    activeTextEditor: undefined,
    onDidChangeActiveTextEditor: quietEvent(),
    onDidChangeTextEditorSelection: quietEvent(),
    createOutputChannel: logChannel,
    createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    registerWebviewPanelSerializer: disposable,
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
    showInputBox: async (options: InputBoxOptions = {}): Promise<string | undefined> => {
      fake.inputBoxes.push(options);
      return fake.inputAnswers.shift();
    },
    withProgress: <T>(options: { title?: string }, task: (progress: { report(value: unknown): void }) => Promise<T>): Promise<T> => {
      fake.progress.push(options.title ?? '');
      return task({ report: () => undefined });
    },
  },
  env: { clipboard: { writeText: async (): Promise<void> => undefined } },
};

// `vscode` is no package: resolve the name to a module this file provides.
const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string; _cache: Record<string, Module> };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
const vscodeModule = new Module('vscode');
vscodeModule.filename = 'vscode';
vscodeModule.loaded = true;
vscodeModule.exports = api;
loader._cache.vscode = vscodeModule;
