// Injected output streams, so commands are testable without a process.

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  exitCode?: number;
  /** Output goes to a terminal: progress may redraw a line. */
  isTTY?: boolean;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  untilStopped(): Promise<string>;
}

export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    untilStopped: () => new Promise((resolve) => {
      const on = (sig: string) => () => resolve(sig);
      process.once('SIGINT', on('SIGINT'));
      process.once('SIGTERM', on('SIGTERM'));
    }),
  };
}
