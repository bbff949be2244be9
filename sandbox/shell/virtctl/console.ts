// virtctl console VMI: the serial console over WebSocket (subprotocol
// plain.kubevirt.io) at virt-api's console subresource. While the VMI is not
// running virt-api answers 400 and virtctl retries every second until
// --timeout minutes pass. Raw terminal, Ctrl+] leaves. With a non-terminal
// stdin (commands piped in) it leaves once stdin has ended and the guest's
// output has settled, so `printf 'root\npw\nhostname\n' | virtctl console vm` works.

import WebSocket from 'ws';
import { goNetError } from '../kube/errors.ts';
import { CommandError, type CommandContext } from './command.ts';

export const CONSOLE_SUBPROTOCOL = 'plain.kubevirt.io';
const ESCAPE = 0x1d; // Ctrl+]
const RETRY_MS = 1000;
/** After stdin ends: leave once the guest has answered the last input and then been quiet this long… */
const SETTLE_MS = 2000;
/** …or, if it does not answer (still booting, hung), once it has been silent this long… */
const SILENT_MS = 10_000;
/** …and at the latest this long after stdin ended. */
const SETTLE_MAX_MS = 60_000;

type Dial = { ws: WebSocket } | { error: string; status: number };

function dialOnce(ctx: CommandContext, path: string): Promise<Dial> {
  const client = ctx.client();
  const url = client.url(path);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url, CONSOLE_SUBPROTOCOL, { headers: client.authHeaders() as Record<string, string>, ...client.tlsOptions() });
  return new Promise((resolve) => {
    let settled = false;
    const done = (d: Dial): void => {
      if (settled) return;
      settled = true;
      resolve(d);
    };
    ws.once('open', () => done({ ws }));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let error = `Can't connect to websocket (${status}): websocket: bad handshake\n`;
        const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
        if (type === 'application/json' && body) {
          try {
            const s = JSON.parse(body) as { kind?: string; apiVersion?: string; status?: string; message?: string };
            if (s.kind === 'Status' && s.apiVersion === 'v1' && s.status !== 'Success') error = s.message ?? '';
          } catch {
            // keep the handshake error
          }
        }
        done({ error, status });
        req.destroy();
      });
    });
    ws.on('error', (e: NodeJS.ErrnoException) => done({ error: `Can't connect to websocket: ${goNetError(e, url.hostname, url.port || (url.protocol === 'wss:' ? '443' : '80'))}\n`, status: 0 }));
  });
}

/** kubecli SerialConsole with a connection timeout: retries while virt-api says 400 (VMI not running yet). */
async function connect(ctx: CommandContext, path: string, timeoutMinutes: number, interrupted: () => boolean): Promise<WebSocket | undefined> {
  const deadline = Date.now() + timeoutMinutes * 60_000;
  for (;;) {
    const d = await dialOnce(ctx, path);
    if ('ws' in d) return d.ws;
    if (interrupted()) return undefined;
    if (timeoutMinutes === 0 || d.status !== 400) throw new CommandError(d.error);
    if (Date.now() + RETRY_MS > deadline) throw new CommandError('Timeout trying to connect to the virtual machine instance');
    await new Promise((r) => setTimeout(r, RETRY_MS));
    if (interrupted()) return undefined;
  }
}

export async function run(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0];
  const ns = ctx.namespace();
  ctx.client();
  const path = `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachineinstances/${encodeURIComponent(name)}/console`;

  let interrupted = false;
  const onWaitInterrupt = (): void => { interrupted = true; };
  process.once('SIGINT', onWaitInterrupt);
  let ws: WebSocket | undefined;
  try {
    ws = await connect(ctx, path, ctx.flag<number>('timeout'), () => interrupted);
  } finally {
    process.off('SIGINT', onWaitInterrupt);
  }
  if (!ws) {
    ctx.io.out('\n');
    return;
  }
  await attach(ctx, ws, name);
}

function attach(ctx: CommandContext, ws: WebSocket, name: string): Promise<void> {
  const { stdin, stdout } = ctx.io;
  const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (tty) stdin.setRawMode(true);
  ctx.io.err(`Successfully connected to ${name} console. The escape sequence is ^]\n`);

  return new Promise<void>((resolve, reject) => {
    let finished = false;
    let lastOutput = Date.now();
    let answered = true;
    let settleTimer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      if (settleTimer) clearInterval(settleTimer);
      if (tty) stdin.setRawMode(false);
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      stdin.pause();
      process.off('SIGINT', onInterrupt);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      if (err) reject(err);
      else resolve();
    };
    const onInput = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const esc = buf.indexOf(ESCAPE);
      const data = esc < 0 ? buf : buf.subarray(0, esc);
      if (data.length && ws.readyState === WebSocket.OPEN) {
        ws.send(data, { binary: true });
        answered = false;
      }
      if (esc >= 0) finish();
    };
    const onEnd = (): void => {
      // Piped input is over: wait for the guest to finish answering, then leave.
      const endedAt = Date.now();
      settleTimer = setInterval(() => {
        const now = Date.now();
        const quiet = now - lastOutput;
        if ((answered && quiet >= SETTLE_MS) || quiet >= SILENT_MS || now - endedAt >= SETTLE_MAX_MS) finish();
      }, 100);
    };
    const onInterrupt = (): void => finish();

    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      lastOutput = Date.now();
      answered = true;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      stdout.write(buf);
    });
    ws.on('close', (code: number) => {
      if (finished) return;
      if (code === 1000) return finish();
      // The VM stopped or another console took over: virt-api drops the stream.
      ctx.io.err('\nYou were disconnected from the console. This has one of the following reasons:\n - another user connected to the console of the target vm\n - network issues\n');
      finish(new CommandError('websocket: close 1006 (abnormal closure): unexpected EOF'));
    });
    ws.on('error', () => {
      // 'close' follows and reports it.
    });
    stdin.on('data', onInput);
    stdin.on('end', onEnd);
    process.on('SIGINT', onInterrupt);
    stdin.resume();
    lastOutput = Date.now();
  });
}
