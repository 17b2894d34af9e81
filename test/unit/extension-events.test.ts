import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_EVENT_CHOICE,
  SAMPLE_EVENTS,
  eventChoiceLabel,
  parseEventChoice,
  parseEventJson,
  sampleChoiceId,
  uriChoiceId,
} from '../../src/vscode/event-choice';

const EVENTS_DIR = join(__dirname, '..', '..', 'resources', 'events');

describe('extension: event choices', () => {
  it('parses the three kinds of choice ids and rejects others', () => {
    assert.deepEqual(parseEventChoice(DEFAULT_EVENT_CHOICE), { kind: 'empty' });
    assert.equal(parseEventChoice(sampleChoiceId('sqs'))?.kind, 'sample');
    assert.deepEqual(parseEventChoice(uriChoiceId('file:///w/events/put.json')), { kind: 'uri', uri: 'file:///w/events/put.json' });
    assert.deepEqual(parseEventChoice('uri:untitled:Untitled-1'), { kind: 'uri', uri: 'untitled:Untitled-1' });
    for (const bad of ['', 'sample:nope', 'uri:', 'uri:no-scheme', 'file:///x.json']) assert.equal(parseEventChoice(bad), undefined, bad);
  });

  it('labels choices for the panel and the quick pick', () => {
    assert.equal(eventChoiceLabel('empty'), 'empty event {}');
    assert.equal(eventChoiceLabel('sample:s3-put'), 'S3 sample');
    assert.equal(eventChoiceLabel('uri:file:///w/events/put%20item.json'), 'put item.json');
    assert.equal(eventChoiceLabel('uri:file:///w/events/a.json', () => 'events/a.json'), 'events/a.json');
    assert.equal(eventChoiceLabel('uri:untitled:Untitled-1'), 'edited event (unsaved)');
  });
});

describe('extension: event JSON', () => {
  it('returns the parsed event', () => {
    assert.deepEqual(parseEventJson('{"a": [1, 2]}', 'x'), { ok: true, event: { a: [1, 2] } });
    assert.deepEqual(parseEventJson('\ufeff{"bom": true}', 'x'), { ok: true, event: { bom: true } });
    assert.deepEqual(parseEventJson('"just a string"', 'x'), { ok: true, event: 'just a string' });
  });

  it('explains invalid JSON with the source, line and column, and says nothing ran', () => {
    const parsed = parseEventJson('{\n  "a": 1,\n  "b": oops\n}', '"events/put.json"');
    assert.equal(parsed.ok, false);
    assert.ok(!parsed.ok);
    assert.match(parsed.message, /^The event "events\/put\.json" is not valid JSON: .+ at line 3, column 8\. Nothing was run\.$/);
  });

  it('explains an empty or truncated document', () => {
    const empty = parseEventJson('  \n', 'doc');
    assert.ok(!empty.ok && /is empty/.test(empty.message));
    const truncated = parseEventJson('{"a": [1,', 'doc');
    assert.ok(!truncated.ok && /not valid JSON: .* at line 1, column 10\./.test(truncated.message), !truncated.ok ? truncated.message : '');
  });
});

describe('extension: bundled sample events', () => {
  it('has one valid JSON file per catalogue entry and no stray files', () => {
    const files = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json')).sort();
    assert.deepEqual(files, SAMPLE_EVENTS.map((sample) => `${sample.id}.json`).sort());
    for (const file of files) {
      const parsed = parseEventJson(readFileSync(join(EVENTS_DIR, file), 'utf8'), file);
      assert.ok(parsed.ok, file);
    }
  });

  it('covers the event sources the issue lists, shaped like AWS sends them', () => {
    const read = (id: string): Record<string, unknown> => JSON.parse(readFileSync(join(EVENTS_DIR, `${id}.json`), 'utf8'));
    const records = (id: string): Record<string, unknown>[] => read(id).Records as Record<string, unknown>[];
    assert.equal(read('apigateway-rest').httpMethod, 'GET');
    assert.ok((read('apigateway-rest').requestContext as Record<string, unknown>).requestId);
    assert.equal(read('apigateway-http').version, '2.0');
    assert.equal(records('s3-put')[0].eventSource, 'aws:s3');
    assert.equal(records('sqs')[0].eventSource, 'aws:sqs');
    assert.equal(records('sns')[0].EventSource, 'aws:sns');
    assert.equal(read('eventbridge-scheduled')['detail-type'], 'Scheduled Event');
    assert.deepEqual(records('dynamodb-stream').map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
  });
});
