// Fast-forwarding plain-text floods for the replay screen: the screen and
// scrollback come out exactly as if every byte had been parsed, in the cases
// that matter (colours before and after, a cursor left mid-screen over old
// text, wrapped lines, UTF-8), and nothing is skipped when it could matter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastForward } from '../../server/terminal/fast-forward.ts';
import { HeadlessTerminal, SerializeAddon } from '../../server/terminal/xterm.ts';

const COLS = 60;
const ROWS = 10;
const SCROLLBACK = 40;
const KEEP = SCROLLBACK + 2 * ROWS;

function render(data: Uint8Array): Promise<string> {
  const term = new HeadlessTerminal({ cols: COLS, rows: ROWS, scrollback: SCROLLBACK, allowProposedApi: true });
  const ser = new SerializeAddon();
  term.loadAddon(ser as unknown as Parameters<typeof term.loadAddon>[0]);
  return new Promise((resolve) => term.write(data, () => {
    resolve(ser.serialize());
    term.dispose();
  }));
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => `${f(i)}\r\n`).join('');

test('a long plain run leaves the same screen and scrollback when only its last lines are parsed', async () => {
  const cases: [string, string][] = [
    ['colours around a flood', `\x1b[1;32muser@lab\x1b[0m:~$ cat big\r\n${lines(500, (i) => `line ${i} ${'x'.repeat(i % 50)}`)}\x1b[1;32muser@lab\x1b[0m:~$ `],
    ['a cursor left mid-screen over older, longer text', `${lines(ROWS, () => 'O'.repeat(COLS - 1))}\x1b[3;1H\r\n${lines(300, (i) => `n${i}`)}tail`],
    ['lines that wrap, tabs and UTF-8', `start\r\n${lines(200, (i) => `${i}\t${'é€🙂'.repeat(i % 30)}${'w'.repeat(i % 3 ? 10 : 130)}`)}done\r\n`],
    ['several runs with escapes between them', `a\r\n${lines(150, (i) => `r1-${i}`)}\x1b[31mred\x1b[0m\r\n${lines(150, (i) => `r2-${i}`)}\x1b[?2004h$ `],
  ];
  for (const [name, text] of cases) {
    const data = bytes(text);
    const skipped = fastForward(data, KEEP);
    assert.ok(skipped.length < data.length / 2, `${name}: something was skipped (${skipped.length} of ${data.length})`);
    assert.equal(await render(skipped), await render(data), name);
  }
});

test('keeps everything when a run is short or is not plain', () => {
  const short = bytes(`$ ls\r\n${lines(KEEP, (i) => `f${i}`)}$ `);
  assert.equal(fastForward(short, KEEP), short);
  const coloured = bytes(`$ ls\r\n${lines(500, (i) => `\x1b[3${i % 8}mf${i}\x1b[0m`)}`);
  assert.equal(fastForward(coloured, KEEP), coloured);
  const backspaces = bytes(`$ x\r\n${lines(500, (i) => `ab\bc${i}`)}`);
  assert.equal(fastForward(backspaces, KEEP), backspaces);
  const c1 = bytes(`$ x\r\n${lines(500, (i) => `a\u0085${i}`)}`);
  assert.equal(fastForward(c1, KEEP), c1);
  const noCrLf = bytes(lines(500, (i) => `bare ${i}`).replaceAll('\r\n', '\n'));
  assert.equal(fastForward(noCrLf, KEEP), noCrLf);
});
