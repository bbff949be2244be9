// The terminal WebSocket's client messages: what is accepted, and the error
// for everything else.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_INPUT_BYTES, parseClientMessage, ProtocolError } from '../../server/terminal/protocol.ts';

test('parses input, resize and ack', () => {
  assert.deepEqual(parseClientMessage('{"type":"input","data":"ls\\r"}'), { type: 'input', data: 'ls\r' });
  assert.deepEqual(parseClientMessage('{"type":"resize","cols":120,"rows":40}'), { type: 'resize', cols: 120, rows: 40 });
  assert.deepEqual(parseClientMessage('{"type":"ack","bytes":65536}'), { type: 'ack', bytes: 65536 });
});

test('refuses malformed messages with a message that says what is wrong', () => {
  const table: [string, string][] = [
    ['not json', 'message is not JSON'],
    ['[1]', 'message is not a JSON object'],
    ['{"type":"input","data":5}', 'input: data must be a string'],
    [JSON.stringify({ type: 'input', data: 'x'.repeat(MAX_INPUT_BYTES + 1) }), `input: data is over ${MAX_INPUT_BYTES} bytes; send it in parts`],
    ['{"type":"resize","cols":0,"rows":10}', 'resize: cols must be 1..1000 and rows 1..500'],
    ['{"type":"resize","cols":80.5,"rows":10}', 'resize: cols must be 1..1000 and rows 1..500'],
    ['{"type":"resize","cols":80,"rows":501}', 'resize: cols must be 1..1000 and rows 1..500'],
    ['{"type":"ack","bytes":-1}', 'ack: bytes must be a non-negative integer'],
    ['{"type":"hello"}', 'unknown message type "hello" (expected input, resize or ack)'],
  ];
  for (const [text, message] of table) {
    assert.throws(() => parseClientMessage(text), (e: unknown) => e instanceof ProtocolError && e.message === message, text.slice(0, 60));
  }
});
