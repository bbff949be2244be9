// Messages between the server and its screen worker (screen-host.ts,
// screen-worker.ts): each shell's screen is a numbered headless terminal there.

export type ToScreenWorker =
  | { op: 'create'; id: number; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: number; data: Uint8Array }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'snapshot'; id: number; request: number }
  | { op: 'dispose'; id: number };

export type FromScreenWorker =
  /** Bytes of a screen's output the parser has taken in since the last report. */
  | { op: 'parsed'; id: number; bytes: number }
  | { op: 'snapshot'; request: number; text: string };
