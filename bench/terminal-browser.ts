// The browser's side of the terminal benchmark, in a process of its own (as
// a real browser is): times keystroke echoes at the bash prompt, then reads a
// flood of output, acknowledging every 64 KiB as a page does after drawing.
// Prints `ready` once its shell runs, waits for a line on stdin, then floods
// and prints one JSON line of figures. Started by bench/terminal.ts.

import { performance } from 'node:perf_hooks';
import { TermClient } from '../test/integration/terminal-fixture.ts';

const [url, token, keystrokes, floodBytes] = process.argv.slice(2);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const t = await TermClient.open(url, { token, cols: 120, rows: 40, ackEvery: 64 * 1024 });
await t.run('true');

// One character, then its erasure, each timed until the echo arrives.
const times: number[] = [];
for (let i = 0; i < Number(keystrokes); i++) {
  const before = t.received;
  const t0 = performance.now();
  t.type(i % 2 === 0 ? 'x' : '\x7f');
  await t.until(() => t.received > before, 'the echo of a keystroke', 5000);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
await t.run('true');

// Tell the server side the shell is up (it samples memory from here), and wait for its go.
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

const start = t.received;
t.maxUnacked = 0;
const t0 = performance.now();
await t.runFlood(`yes "$(printf '%.0sx' {1..99})" | head -c ${floodBytes}`);
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  echoP50: percentile(times, 50),
  echoP99: percentile(times, 99),
  keys: times.length,
  bytes: t.received - start,
  seconds,
  maxUnacked: t.maxUnacked,
}));
await t.close();
