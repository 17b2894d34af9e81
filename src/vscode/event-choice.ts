/**
 * The event a handler is invoked with: choice ids (remembered per handler), the bundled
 * sample catalogue, and parsing of event JSON with a clear message on errors.
 * Pure: no `vscode`; reading files is the caller's job.
 *
 * Choice ids are plain strings so they fit in workspaceState, webview messages and
 * command arguments:
 * - `empty`: `{}`, the default;
 * - `sample:<id>`: a bundled sample from `resources/events/<id>.json`;
 * - `uri:<uri>`: a JSON document, e.g. `events/event.json` in the workspace (SAM's
 *   convention) or the untitled document "Edit event..." opens; an open document's
 *   current (unsaved) text is used.
 */
import { InvalidEventError, parseEvent } from '../core/events';

export interface SampleEvent {
  id: string;
  label: string;
  description: string;
}

/** Bundled samples, shaped like the events AWS sends (from the AWS documentation's examples). */
export const SAMPLE_EVENTS: readonly SampleEvent[] = [
  { id: 'apigateway-rest', label: 'API Gateway REST API', description: 'proxy integration, payload 1.0' },
  { id: 'apigateway-http', label: 'API Gateway HTTP API', description: 'payload format 2.0' },
  { id: 's3-put', label: 'S3', description: 'ObjectCreated:Put notification' },
  { id: 'sqs', label: 'SQS', description: 'two messages in one batch' },
  { id: 'sns', label: 'SNS', description: 'notification' },
  { id: 'eventbridge-scheduled', label: 'EventBridge', description: 'scheduled event' },
  { id: 'dynamodb-stream', label: 'DynamoDB Streams', description: 'INSERT, MODIFY and REMOVE records' },
];

export type EventChoice =
  | { kind: 'empty' }
  | { kind: 'sample'; sample: SampleEvent }
  | { kind: 'uri'; uri: string };

export const DEFAULT_EVENT_CHOICE = 'empty';

export function parseEventChoice(id: string): EventChoice | undefined {
  if (id === 'empty') return { kind: 'empty' };
  if (id.startsWith('sample:')) {
    const sample = SAMPLE_EVENTS.find((s) => s.id === id.slice('sample:'.length));
    return sample ? { kind: 'sample', sample } : undefined;
  }
  if (id.startsWith('uri:')) {
    const uri = id.slice('uri:'.length);
    return /^[a-z][a-z0-9+.-]*:./i.test(uri) ? { kind: 'uri', uri } : undefined;
  }
  return undefined;
}

export function sampleChoiceId(sampleId: string): string {
  return `sample:${sampleId}`;
}

export function uriChoiceId(uri: string): string {
  return `uri:${uri}`;
}

/** A short human label for a choice id: `S3 sample`, `events/put.json`, `{}`. */
export function eventChoiceLabel(id: string, workspaceRelative?: (uri: string) => string | undefined): string {
  const choice = parseEventChoice(id);
  if (!choice) return 'unknown event';
  switch (choice.kind) {
    case 'empty':
      return 'empty event {}';
    case 'sample':
      return `${choice.sample.label} sample`;
    case 'uri': {
      if (choice.uri.startsWith('untitled:')) return 'edited event (unsaved)';
      const relative = workspaceRelative?.(choice.uri);
      if (relative) return relative;
      const path = choice.uri.replace(/[?#].*$/, '');
      return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    }
  }
}

export type ParsedEvent = { ok: true; event: unknown } | { ok: false; message: string };

/**
 * Parses event JSON with the engine's parser, whose message names the source and the line
 * and column of the first error; nothing runs on failure.
 */
export function parseEventJson(text: string, sourceLabel: string): ParsedEvent {
  try {
    return { ok: true, event: parseEvent(text, `The event ${sourceLabel}`) };
  } catch (error) {
    if (error instanceof InvalidEventError) return { ok: false, message: `${error.message}. Nothing was run.` };
    throw error;
  }
}
