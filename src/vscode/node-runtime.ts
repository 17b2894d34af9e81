/**
 * Which `node` runs the user's handlers: the `warmState.nodePath` setting, else `node` on
 * PATH, else the editor's own runtime (Electron run as Node) with a one-time notice.
 * User code only ever runs in that child process, never in the extension host.
 * Pure: file checks are passed in.
 */

export interface NodeRuntime {
  path: string;
  source: 'setting' | 'path' | 'editor';
  /** Extra environment for the executable itself (ELECTRON_RUN_AS_NODE for the editor's runtime). */
  nodeEnv?: Record<string, string>;
}

export interface NodeRuntimeInput {
  /** The `warmState.nodePath` setting: empty, a command name looked up on PATH, or a path. */
  setting: string;
  /** `process.env.PATH`. */
  pathEnv: string | undefined;
  /** `process.env.PATHEXT` on Windows. */
  pathExt?: string;
  platform: NodeJS.Platform;
  /** `process.execPath` of the extension host (Electron or, under code-server, node). */
  execPath: string;
  isExecutableFile(path: string): boolean;
}

export type NodeRuntimeResult = { ok: true; runtime: NodeRuntime } | { ok: false; message: string };

export function resolveNodeRuntime(input: NodeRuntimeInput): NodeRuntimeResult {
  const setting = input.setting.trim();
  if (setting !== '') {
    // An explicit setting never falls back silently: running another Node than the one
    // configured would show a wrong picture.
    const found = hasPathSeparator(setting) ? (input.isExecutableFile(setting) ? setting : undefined) : searchPath(setting, input);
    if (found) return { ok: true, runtime: { path: found, source: 'setting' } };
    return { ok: false, message: `warmState.nodePath is "${setting}", which is not an executable file${hasPathSeparator(setting) ? '' : ' on PATH'}. Fix the setting or clear it to use node from PATH.` };
  }
  const onPath = searchPath('node', input);
  if (onPath) return { ok: true, runtime: { path: onPath, source: 'path' } };
  return { ok: true, runtime: { path: input.execPath, source: 'editor', nodeEnv: { ELECTRON_RUN_AS_NODE: '1' } } };
}

/** The one-time notice shown when handlers run on the editor's own runtime. */
export function editorRuntimeNotice(editorNodeVersion: string): string {
  return `No node found on PATH: Warm State runs handlers with the editor's own runtime (Node ${editorNodeVersion}). Set warmState.nodePath to the Node version your Lambda runtime uses.`;
}

function hasPathSeparator(text: string): boolean {
  return text.includes('/') || text.includes('\\');
}

function searchPath(command: string, input: NodeRuntimeInput): string | undefined {
  const windows = input.platform === 'win32';
  const separator = windows ? ';' : ':';
  const extensions = windows ? ['', ...(input.pathExt ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)] : [''];
  for (const directory of (input.pathEnv ?? '').split(separator)) {
    if (directory === '') continue;
    for (const extension of extensions) {
      const candidate = `${directory.replace(/[\\/]+$/, '')}${windows ? '\\' : '/'}${command}${extension}`;
      if (input.isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** `v20.11.1` -> 20; undefined when unreadable. */
export function nodeMajor(version: string | null | undefined): number | undefined {
  const match = /^v?(\d+)\./.exec(version ?? '');
  return match ? Number(match[1]) : undefined;
}
