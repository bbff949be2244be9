// The terminal WebSocket's messages as the browser sees them
// (server/terminal/README.md): output arrives as binary frames, everything
// else as one JSON object per text frame.

export type ServerControl =
  | { type: 'attached'; tab: string; cols: number; rows: number; fresh: boolean }
  | { type: 'exit'; reason: 'exited' | 'idle' | 'closed'; exitCode?: number; signal?: number }
  | { type: 'error'; message: string };

export type ClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number };

/** The server refuses bigger input messages; a long paste goes in parts. */
export const MAX_INPUT_CHARS = 16 * 1024;

export function parseControl(text: string): ServerControl | undefined {
  try {
    const m = JSON.parse(text) as { type?: unknown };
    return m && typeof m === 'object' && typeof m.type === 'string' ? m as ServerControl : undefined;
  } catch {
    return undefined;
  }
}

/** Splits input into messages under the server's limit, never inside a surrogate pair. */
export function inputMessages(data: string): ClientMessage[] {
  const out: ClientMessage[] = [];
  let i = 0;
  while (i < data.length) {
    let end = Math.min(data.length, i + MAX_INPUT_CHARS);
    if (end < data.length && /[\ud800-\udbff]/.test(data[end - 1])) end--;
    out.push({ type: 'input', data: data.slice(i, end) });
    i = end;
  }
  return out;
}

export function describeExit(m: Extract<ServerControl, { type: 'exit' }>): string {
  if (m.reason === 'idle') return 'the shell was closed after a long time without a browser attached';
  if (m.reason === 'closed') return 'the shell was closed by the server';
  return m.signal ? `the shell ended (signal ${m.signal})` : `the shell ended (exit code ${m.exitCode ?? 0})`;
}
