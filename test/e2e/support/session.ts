/**
 * One code-server with the packaged extension installed (as a user installs a .vsix) and
 * one headless Chromium, plus a private workspace: the motivating example and the fixtures
 * the end-to-end tests use.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../../scripts/vscode-test/browser';
import { startCodeServer, type CodeServer } from '../../../scripts/vscode-test/code-server';
import { e2eContext } from './context';
import { Workbench } from './workbench';

export interface Session {
  readonly server: CodeServer;
  readonly browser: Browser;
  /** The opened folder: freeze-demo/, xss/, marker/. */
  readonly workspace: string;
  open(): Promise<Workbench>;
  close(): Promise<void>;
}

export interface SessionOptions {
  trusted: boolean;
  settings?: Record<string, unknown>;
  /** More files for the workspace: workspace-relative path -> path from the repository root. */
  files?: Record<string, string>;
}

export async function startSession(name: string, options: SessionOptions): Promise<Session> {
  const context = e2eContext();
  const stateDir = join(context.stateDir, name);
  const workspace = join(stateDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  cpSync(join(context.root, 'examples', 'freeze-demo'), join(workspace, 'freeze-demo'), { recursive: true });
  for (const fixture of ['xss', 'marker']) {
    cpSync(join(context.root, 'test', 'integration', 'workspace', fixture), join(workspace, fixture), { recursive: true });
  }
  for (const [target, source] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, target)), { recursive: true });
    cpSync(join(context.root, source), join(workspace, target));
  }
  const server = await startCodeServer(context.environment, {
    stateDir,
    trustAllWorkspaces: options.trusted,
    installVsix: [context.vsix],
    // The freeze demo is a callback handler, which nodejs24.x refuses: pinned to nodejs20.x, so the
    // Node 24 that runs code-server (first on its PATH) tests a Node version, not a profile.
    settings: { 'warmState.runtime': 'nodejs20.x', ...options.settings },
  });
  let browser: Browser;
  try {
    browser = await launchBrowser(context.environment.chromiumPath);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    workspace,
    open: () => Workbench.open(browser, server, workspace),
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}
