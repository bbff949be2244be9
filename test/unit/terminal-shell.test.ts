// One shell and its clients, on a fake pty: a client that attaches gets the
// screen as it was, then exactly the output that followed (none lost, none
// twice, even output that arrives while the replay is being made); a shell
// that exits tells every client why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PtyProcess } from '../../server/terminal/pty.ts';
import { HeadlessScreen } from '../../server/terminal/screen.ts';
import { TerminalShell, type TerminalClient, type Timers } from '../../server/terminal/shell.ts';
import type { ServerMessage } from '../../server/terminal/protocol.ts';

class FakePty implements PtyProcess {
  readonly pid = 4242;
  readonly written: string[] = [];
  readonly sizes: [number, number][] = [];
  paused = false;
  private data?: (d: Buffer) => void;
  private exit?: (e: { exitCode: number; signal?: number }) => void;
  onData(l: (d: Buffer) => void): void { this.data = l; }
  onExit(l: (e: { exitCode: number; signal?: number }) => void): void { this.exit = l; }
  write(d: string | Buffer): void { this.written.push(d.toString()); }
  resize(c: number, r: number): void { this.sizes.push([c, r]); }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  kill(): void { this.exit?.({ exitCode: 0, signal: 1 }); }
  emit(text: string): void { this.data?.(Buffer.from(text)); }
  quit(code: number): void { this.exit?.({ exitCode: code }); }
}

class FakeClient implements TerminalClient {
  out = '';
  readonly messages: ServerMessage[] = [];
  closed = false;
  output(d: Buffer): void { this.out += d.toString(); }
  control(m: ServerMessage): void { this.messages.push(m); }
  close(): void { this.closed = true; }
}

const noTimers: Timers = { setTimeout: () => 0, clearTimeout: () => {} };
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function shellOn(pty: FakePty, highWater = 1 << 20, lowWater = 1 << 10): { shell: TerminalShell; screen: HeadlessScreen } {
  const screen = new HeadlessScreen({ cols: 40, rows: 5, scrollback: 50 });
  return { shell: new TerminalShell(pty, screen, { tab: 'main', idleMs: 0, highWater, lowWater, timers: noTimers, coalesceMs: 0 }), screen };
}

test('a late client gets the screen, then the output that followed, each byte once', async () => {
  const pty = new FakePty();
  const { shell } = shellOn(pty);
  const first = new FakeClient();
  await shell.attach(first, { fresh: true });
  pty.emit('one\r\n');
  await turn();
  const late = new FakeClient();
  const attaching = shell.attach(late, { fresh: false });
  // Output while the replay is being made goes after it.
  pty.emit('two\r\n');
  await attaching;
  pty.emit('three\r\n');
  await turn();
  assert.deepEqual(late.messages[0], { type: 'attached', tab: 'main', cols: 40, rows: 5, fresh: false });
  // The replay redraws `one` and puts the cursor back (serialized), then the live bytes follow.
  assert.match(late.out, /^one(\x1b\[[0-9;]*[A-Za-z]|\r\n)*two\r\nthree\r\n$/);
  assert.equal(late.out.match(/two/g)?.length, 1);
  assert.equal(first.out, 'one\r\ntwo\r\nthree\r\n');
});

test('input and resizes reach the pty; an exit reaches every client with its code', async () => {
  const pty = new FakePty();
  const { shell } = shellOn(pty);
  const a = new FakeClient();
  const b = new FakeClient();
  await shell.attach(a, { fresh: true });
  await shell.attach(b, { fresh: false, size: { cols: 100, rows: 20 } });
  shell.input('ls\r');
  shell.resize(100, 20);
  shell.resize(90, 30);
  assert.deepEqual(pty.written, ['ls\r']);
  assert.deepEqual(pty.sizes, [[100, 20], [90, 30]], 'an unchanged size is not sent again');
  pty.quit(3);
  for (const c of [a, b]) {
    assert.deepEqual(c.messages.at(-1), { type: 'exit', reason: 'exited', exitCode: 3 });
    assert.equal(c.closed, true);
  }
  assert.deepEqual(await shell.done, { reason: 'exited', exitCode: 3 });
});

test('a client that never acknowledges pauses the pty; leaving releases it', async () => {
  const pty = new FakePty();
  const { shell, screen } = shellOn(pty, 1000, 100);
  const c = new FakeClient();
  await shell.attach(c, { fresh: true });
  pty.emit('x'.repeat(1500));
  await turn();
  assert.equal(pty.paused, true);
  assert.equal(shell.unacknowledged(c), 1500);
  // The screen has parsed it (it is a consumer too): only the client holds the pty now.
  await screen.snapshot();
  assert.equal(pty.paused, true);
  shell.ack(c, 1450);
  assert.equal(pty.paused, false);
  pty.emit('x'.repeat(1500));
  await turn();
  await screen.snapshot();
  assert.equal(pty.paused, true);
  shell.detach(c);
  assert.equal(pty.paused, false);
});
