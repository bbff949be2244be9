// Flow control end to end: a browser that does not keep up (it acknowledges
// nothing, then acknowledges late) holds the shell's output at the high-water
// mark, so a 50 MB flood neither piles up in the server nor in the socket;
// once it catches up the command runs to the end and every byte arrives.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_BWRAP, startTerminalServer, TermClient, type TerminalServer } from './terminal-fixture.ts';

const HIGH = 256 * 1024;
const LOW = 64 * 1024;
/** Output read in one turn is relayed as one frame of at most this size (shell.ts). */
const MAX_FRAME = 256 * 1024;
const FLOOD = 50_000_000;

let term: TerminalServer;

before(async () => {
  term = await startTerminalServer({ unsafeShell: NO_BWRAP !== false, highWater: HIGH, lowWater: LOW });
  term.sessions.set('t', { sessionId: 'flood', shellEnv: { cluster: { server: 'https://127.0.0.1:9', token: 'unused' } } });
});
after(async () => { await term.close(); });

describe('flow control', () => {
  it('pauses the pty while a browser has a high-water mark of output unacknowledged, and resumes as it acknowledges', async () => {
    const t = await TermClient.open(term.url, { token: 't', autoAck: false });
    await t.waitForMessage('attached');
    t.ack();
    const shell = await term.manager.shell('flood', 'main')!;
    t.type(`yes "$(printf '%.0sx' {1..99})" | head -c ${FLOOD}; echo "flood-$((40+2))"\r`);

    // Nothing acknowledged: the server stops sending once the window is full.
    await t.until(() => t.received > HIGH, 'a window of output');
    assert.equal(shell.paused, true);
    const held = t.received;
    assert.ok(held <= HIGH + MAX_FRAME, `received ${held} bytes without acknowledging any`);

    // Now a browser that acknowledges each frame only after a timer: late, but it catches up.
    t.autoAck = false;
    t.ws.on('message', (data, isBinary) => {
      if (isBinary) setTimeout(() => t.ack((data as Buffer).length), 1);
    });
    t.ack();
    await t.until(() => t.tail(512).includes('flood-42'), 'the end of the flood', 120_000);
    assert.ok(t.received >= FLOOD, `received ${t.received} of ${FLOOD} bytes`);
    assert.ok(t.maxUnacked <= HIGH + MAX_FRAME, `at most ${t.maxUnacked} bytes were unacknowledged`);
    assert.equal(shell.hasExited, false);
    await t.close();
  });

  it('keeps the screen it replays bounded: a reconnect after the flood gets the last screenful and scrollback, not 50 MB', async () => {
    const t = await TermClient.open(term.url, { token: 't' });
    await t.waitForMessage('attached');
    await t.waitFor('flood-42');
    // 1000 lines of scrollback and a screen of 100-character lines.
    assert.ok(t.received < 200_000, `replay of ${t.received} bytes`);
    assert.match(t.screenText, /x{99}\n/);
    await t.close();
  });
});
