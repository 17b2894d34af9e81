/**
 * Helpers for the integration suite. Only the `vscode` API and type-only imports from the
 * extension's sources: the suite must run in any VS Code host (code-server, desktop).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModuleVariable, ValueNode, Variable } from '../../src/core/model/snapshot';
import type { WarmStateExports, WarmStateTestApi } from '../../src/vscode/test-api';

export const EXTENSION_ID = 'warmstate.warm-state';

/** The public command ids (users bind keys to them: a rename is a breaking change). */
export const COMMAND = {
  invokeWarm: 'warmState.invokeWarm',
  invokeCold: 'warmState.invokeCold',
  resetEnvironment: 'warmState.resetEnvironment',
  selectEvent: 'warmState.selectEvent',
  showPanel: 'warmState.showPanel',
} as const;

export async function activateExtension(): Promise<WarmStateTestApi> {
  const extension = vscode.extensions.getExtension<WarmStateExports>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  const exports = await extension.activate();
  assert.ok(exports && typeof exports.testApi === 'object', 'activate() must return { testApi }');
  return exports.testApi;
}

export function workspaceUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder (the launcher opens one)');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export async function openInEditor(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relativePath));
  return vscode.window.showTextDocument(document);
}

/** 0-based line of the first line containing `text`, as a CodeLens range would start. */
export function lineOf(document: vscode.TextDocument, text: string): number {
  for (let line = 0; line < document.lineCount; line++) {
    if (document.lineAt(line).text.includes(text)) return line;
  }
  throw new Error(`"${text}" not found in ${document.uri.toString()}`);
}

export async function waitFor<T>(description: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function variable<V extends Variable | ModuleVariable>(scope: readonly V[], name: string): V {
  const found = scope.find((entry) => entry.name === name);
  assert.ok(found, `no variable "${name}" among ${scope.map((entry) => entry.name).join(', ') || '(none)'}`);
  return found;
}

/** The items of an array value as plain JS (strings and numbers only, which is all the fixtures use). */
export function arrayItems(value: ValueNode): unknown[] {
  assert.equal(value.type, 'array', `expected an array, got ${value.type}`);
  if (value.type !== 'array') return [];
  return value.items.map((item) => (item.type === 'string' || item.type === 'number' ? item.value : `<${item.type}>`));
}
