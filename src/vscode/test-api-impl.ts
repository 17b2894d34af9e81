/** The test API over the live extension state (see test-api.ts for the contract). */
import * as vscode from 'vscode';
import type { EventService } from './event-service';
import type { HandlerRef } from './handler-key';
import type { NodeRuntimeProvider } from './node-runtime-provider';
import type { PanelManager } from './panel-host';
import type { SessionStore } from './sessions';
import type { WarmStateTestApi } from './test-api';

export interface TestApiDeps {
  sessions: SessionStore;
  panels: PanelManager;
  events: EventService;
  nodeRuntime: NodeRuntimeProvider;
}

export function createTestApi(deps: TestApiDeps): WarmStateTestApi {
  // Any spelling of the URI (encoded or not) names the same handler.
  const ref = (fileUri: string, exportName: string): HandlerRef => ({ fileUri: vscode.Uri.parse(fileUri).toString(), exportName });
  return {
    history: (fileUri, exportName) => deps.sessions.get(ref(fileUri, exportName))?.history() ?? [],
    environmentStatus: (fileUri, exportName) => deps.sessions.get(ref(fileUri, exportName))?.status(),
    lastPanelState: (fileUri, exportName) => deps.panels.get(ref(fileUri, exportName))?.lastState,
    hasPanel: (fileUri, exportName) => deps.panels.get(ref(fileUri, exportName)) !== undefined,
    eventChoice: (fileUri, exportName) => deps.events.choice(ref(fileUri, exportName)),
    nodeRuntime: () => {
      const runtime = deps.nodeRuntime.last();
      return runtime ? { path: runtime.path, source: runtime.source } : undefined;
    },
  };
}
