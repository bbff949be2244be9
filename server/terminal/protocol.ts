// The terminal WebSocket's messages (server/terminal/README.md). Output goes
// to the browser as binary frames (the pty's bytes, unchanged); everything else
// is one JSON object per text frame. Client messages are validated here, so a
// malformed one is answered with an error, never half-applied.

export const MAX_COLS = 1000;
export const MAX_ROWS = 500;
/** Largest input message (a paste); bigger pastes arrive in several. */
export const MAX_INPUT_BYTES = 64 * 1024;

export type ClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number };

export type ExitReason = 'exited' | 'idle' | 'closed';

export type ServerMessage =
  /** Sent once per connection, before the replay: the output frames that follow start from a reset screen. */
  | { type: 'attached'; tab: string; cols: number; rows: number; fresh: boolean }
  | { type: 'exit'; reason: ExitReason; exitCode?: number; signal?: number }
  | { type: 'error'; message: string };

export class ProtocolError extends Error {}

const isSize = (n: unknown, max: number): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max;

export function validSize(cols: unknown, rows: unknown): { cols: number; rows: number } | undefined {
  return isSize(cols, MAX_COLS) && isSize(rows, MAX_ROWS) ? { cols, rows } : undefined;
}

/** Parses one text frame from the browser. */
export function parseClientMessage(text: string): ClientMessage {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ProtocolError('message is not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ProtocolError('message is not a JSON object');
  const m = doc as Record<string, unknown>;
  switch (m.type) {
    case 'input':
      if (typeof m.data !== 'string') throw new ProtocolError('input: data must be a string');
      if (Buffer.byteLength(m.data) > MAX_INPUT_BYTES) throw new ProtocolError(`input: data is over ${MAX_INPUT_BYTES} bytes; send it in parts`);
      return { type: 'input', data: m.data };
    case 'resize': {
      const size = validSize(m.cols, m.rows);
      if (!size) throw new ProtocolError(`resize: cols must be 1..${MAX_COLS} and rows 1..${MAX_ROWS}`);
      return { type: 'resize', ...size };
    }
    case 'ack':
      if (!Number.isInteger(m.bytes) || (m.bytes as number) < 0) throw new ProtocolError('ack: bytes must be a non-negative integer');
      return { type: 'ack', bytes: m.bytes as number };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(m.type)} (expected input, resize or ack)`);
  }
}

export function encodeServerMessage(m: ServerMessage): string {
  return JSON.stringify(m);
}
