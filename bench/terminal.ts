// Terminal benchmark: keystroke echo latency at the bash prompt (browser →
// WebSocket → pty → readline → pty → WebSocket → browser) and output
// throughput with flow control, the browser being another process
// (bench/terminal-browser.ts). In the jail when bubblewrap is installed.
// Targets: echo p99 ≤ 20 ms, throughput ≥ 20 MB/s. Run with `npm run bench`.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NO_BWRAP, startTerminalServer } from '../test/integration/terminal-fixture.ts';
import { DEFAULT_HIGH_WATER } from '../server/terminal/flow-control.ts';

const KEYSTROKES = 400;
const FLOOD_BYTES = 50_000_000;

interface BrowserFigures {
  echoP50: number;
  echoP99: number;
  keys: number;
  bytes: number;
  seconds: number;
  maxUnacked: number;
}

const term = await startTerminalServer({ unsafeShell: NO_BWRAP !== false });
term.sessions.set('bench', { sessionId: 'bench', shellEnv: { cluster: { server: 'https://127.0.0.1:9', token: 'unused' } } });
const where = NO_BWRAP === false ? 'in the bubblewrap jail' : 'without a jail (bubblewrap missing)';

try {
  const browser = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./terminal-browser.ts', import.meta.url)), term.url, 'bench', String(KEYSTROKES), String(FLOOD_BYTES)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let rss0 = 0;
  let rssMax = 0;
  let sampler: NodeJS.Timeout | undefined;
  browser.stdout.on('data', (d: Buffer) => {
    out += d;
    if (!sampler && out.includes('ready\n')) {
      // The shell and the screen worker run: from here on, growth is the flood's.
      rss0 = rssMax = process.memoryUsage().rss;
      sampler = setInterval(() => { rssMax = Math.max(rssMax, process.memoryUsage().rss); }, 20);
      browser.stdin.end('go\n');
    }
  });
  const code = await new Promise<number | null>((resolve) => browser.on('close', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`the benchmark's browser process failed (exit ${code}): ${out}`);
  const f = JSON.parse(out.trim().split('\n').at(-1)!) as BrowserFigures;
  console.log(`terminal keystroke echo ${where}: p50 ${f.echoP50.toFixed(2)} ms, p99 ${f.echoP99.toFixed(2)} ms (${f.keys} keys; target p99 ≤ 20 ms)`);
  console.log(`terminal throughput ${where}: ${(f.bytes / 1e6 / f.seconds).toFixed(1)} MB/s (${(f.bytes / 1e6).toFixed(0)} MB in ${f.seconds.toFixed(2)} s, ` +
    `at most ${(f.maxUnacked / 1024).toFixed(0)} KiB unacknowledged of a ${DEFAULT_HIGH_WATER / 1024} KiB high-water mark, ` +
    `server RSS grew ${((rssMax - rss0) / 1e6).toFixed(1)} MB during the flood; target ≥ 20 MB/s)`);
} finally {
  await term.close();
}
