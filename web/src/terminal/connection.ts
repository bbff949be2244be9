// One terminal tab's WebSocket: attaches to the tab's shell on the server,
// passes keystrokes and sizes up and output down, acknowledges output once
// xterm has drawn it (the server pauses the shell when a reader falls
// behind), and reconnects when the connection drops: quickly at first, then
// backing off, so a server restart or a network hiccup gets the same shell
// back (the server replays its screen and scrollback).

import { describeExit, inputMessages, parseControl, type ClientMessage, type ServerControl } from './protocol.ts';

export interface ConnectionSink {
  /** The server's replay begins: clear the screen, it is redrawn from scratch. */
  attached(m: Extract<ServerControl, { type: 'attached' }>): void;
  /** Output to draw; call done() once it is drawn. */
  output(data: Uint8Array, done: () => void): void;
  /** A line of status for the person (reconnecting, shell ended, errors). */
  notice(text: string, kind: 'info' | 'error'): void;
  state(s: ConnectionState): void;
}

export type ConnectionState = 'connecting' | 'attached' | 'reconnecting' | 'exited' | 'failed';

const RETRY_MS = [250, 500, 1000, 2000, 4000, 8000];
const MAX_RETRY_MS = 15_000;
/** After this long without success, stop and offer a button. */
const GIVE_UP_MS = 5 * 60_000;
/** Acknowledge at least every this many bytes, else at the end of each burst. */
const ACK_EVERY = 64 * 1024;

export interface ConnectionOptions {
  tab: string;
  size(): { cols: number; rows: number };
  /** Extra query parameters (the lab whose cluster the shell should reach). */
  query?: Record<string, string>;
  sink: ConnectionSink;
}

export class TerminalConnection {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private failingSince: number | undefined;
  private retryTimer: number | undefined;
  private unacked = 0;
  private ackTimer: number | undefined;
  private closedByUs = false;
  private stateNow: ConnectionState = 'connecting';

  constructor(private readonly o: ConnectionOptions) {}

  get state(): ConnectionState {
    return this.stateNow;
  }

  private setState(s: ConnectionState): void {
    this.stateNow = s;
    this.o.sink.state(s);
  }

  connect(): void {
    window.clearTimeout(this.retryTimer);
    this.closedByUs = false;
    const { cols, rows } = this.o.size();
    const q = new URLSearchParams({ cols: String(cols), rows: String(rows), ...this.o.query });
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/terminals/${encodeURIComponent(this.o.tab)}?${q}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.unacked = 0;
    if (this.stateNow !== 'reconnecting') this.setState('connecting');
    ws.addEventListener('message', (e) => {
      if (this.ws !== ws) return;
      if (typeof e.data === 'string') this.control(parseControl(e.data));
      else this.output(new Uint8Array(e.data as ArrayBuffer));
    });
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      window.clearTimeout(this.ackTimer);
      if (this.closedByUs || this.stateNow === 'exited') return;
      if (e.code === 1011 || e.code === 1008) {
        // No shell could start (1011) or the sign-in ended (1008); the server said why, in an error message: retrying would say it again.
        this.setState('failed');
        this.o.sink.notice(e.code === 1008 ? 'sign in again, then press Enter to reconnect.' : 'no shell. Press Enter to try again.', 'error');
        return;
      }
      this.retry('the connection to the server was lost');
    });
  }

  private control(m: ServerControl | undefined): void {
    if (!m) return;
    if (m.type === 'attached') {
      this.attempt = 0;
      this.failingSince = undefined;
      this.o.sink.attached(m);
      this.setState('attached');
      // The pane may have changed size while we were away.
      this.resize(this.o.size());
    } else if (m.type === 'exit') {
      this.setState('exited');
      this.o.sink.notice(`${describeExit(m)}. Press Enter for a new shell.`, 'info');
    } else if (m.type === 'error') {
      this.o.sink.notice(m.message, 'error');
    }
  }

  private output(data: Uint8Array): void {
    const ws = this.ws;
    this.o.sink.output(data, () => {
      if (this.ws !== ws) return;
      this.unacked += data.byteLength;
      if (this.unacked >= ACK_EVERY) this.flushAck();
      else if (this.ackTimer === undefined) this.ackTimer = window.setTimeout(() => this.flushAck(), 0);
    });
  }

  private flushAck(): void {
    window.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.unacked > 0 && this.send({ type: 'ack', bytes: this.unacked })) this.unacked = 0;
  }

  private retry(why: string): void {
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince > GIVE_UP_MS) {
      this.setState('failed');
      this.o.sink.notice(`${why}; gave up reconnecting.`, 'error');
      return;
    }
    const delay = Math.min(MAX_RETRY_MS, RETRY_MS[this.attempt] ?? MAX_RETRY_MS);
    if (this.attempt === 0 || this.stateNow !== 'reconnecting') this.o.sink.notice(`${why}; reconnecting…`, 'info');
    this.attempt++;
    this.setState('reconnecting');
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  /** Keystrokes and pastes: sent once attached; Enter after the shell ended starts a new one. */
  input(data: string): void {
    if (this.stateNow === 'exited') {
      if (data.includes('\r')) this.connect();
      return;
    }
    if (this.stateNow === 'failed') {
      if (data.includes('\r')) {
        this.attempt = 0;
        this.failingSince = undefined;
        this.connect();
      }
      return;
    }
    if (this.stateNow !== 'attached') return;
    for (const m of inputMessages(data)) this.send(m);
  }

  resize(size: { cols: number; rows: number }): void {
    if (this.stateNow === 'attached') this.send({ type: 'resize', ...size });
  }

  private send(m: ClientMessage): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  /** Leaves the shell running on the server (a reload or another tab can reattach). */
  close(): void {
    this.closedByUs = true;
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.ackTimer);
    this.ws?.close(1000, 'closed by the page');
    this.ws = undefined;
  }
}
