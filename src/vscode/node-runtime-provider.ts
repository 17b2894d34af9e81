/**
 * Resolves the `node` that runs handlers (see node-runtime.ts) with real file checks,
 * remembers the answer while the setting and PATH stay the same, and tells the user once
 * when the editor's own runtime has to stand in for a missing `node`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { load } from './lazy';
import { editorRuntimeNotice, resolveNodeRuntime, type NodeRuntime, type NodeRuntimeResult } from './node-runtime';

const NOTICE_KEY = 'warmState.editorRuntimeNoticeShown';

export class NodeRuntimeProvider {
  private cached: { key: string; result: NodeRuntimeResult } | undefined;
  private noticeShown = false;

  constructor(
    private readonly setting: () => string,
    private readonly log: vscode.LogOutputChannel,
    /** Remembers across sessions that the notice was shown (it is a one-time notice; the log repeats it). */
    private readonly memory: vscode.Memento,
  ) {}

  resolve(): NodeRuntimeResult {
    const setting = this.setting();
    const key = `${setting}\0${process.env.PATH ?? ''}`;
    if (this.cached?.key === key) return this.cached.result;
    const result = resolveNodeRuntime({
      setting,
      pathEnv: process.env.PATH,
      pathExt: process.env.PATHEXT,
      platform: process.platform,
      execPath: process.execPath,
      isExecutableFile,
    });
    this.cached = { key, result };
    if (result.ok) {
      this.log.info(`Handlers run with ${result.runtime.path} (${describeSource(result.runtime)}).`);
      if (result.runtime.source === 'editor' && !this.noticeShown) {
        this.noticeShown = true;
        const notice = editorRuntimeNotice(process.versions.node);
        this.log.warn(notice);
        if (this.memory.get<boolean>(NOTICE_KEY)) return result;
        void this.memory.update(NOTICE_KEY, true);
        void vscode.window.showInformationMessage(`Warm State: ${notice}`, 'Open Settings').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'warmState.nodePath');
        });
      }
    } else {
      this.log.error(result.message);
    }
    return result;
  }

  /**
   * The version of `runtime`'s node (a short `node -e`, cached by the engine's probe, which the
   * environment reuses for its flags). Null in a restricted workspace, where nothing runs, and
   * when the node cannot be run.
   */
  async version(runtime: NodeRuntime): Promise<string | null> {
    if (!vscode.workspace.isTrusted) return null;
    const { probeNode } = await load('nodeProbe');
    return (await probeNode(runtime.path, runtime.nodeEnv ?? {})).version;
  }

  /** The node that runs handlers now and its version, for choices that depend on it (null: unknown). */
  async currentVersion(): Promise<string | null> {
    const result = this.resolve();
    return result.ok ? this.version(result.runtime) : null;
  }

  /** The last resolution, for the test API. */
  last(): NodeRuntime | undefined {
    return this.cached?.result.ok ? this.cached.result.runtime : undefined;
  }
}

function describeSource(runtime: NodeRuntime): string {
  switch (runtime.source) {
    case 'setting':
      return 'warmState.nodePath';
    case 'path':
      return 'node on PATH';
    case 'editor':
      return "the editor's own runtime";
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
