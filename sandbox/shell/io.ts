// The streams a shell command talks to, injected so tests and the jail can
// replace them.

export interface ShellIO {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

export function processIO(): ShellIO {
  return {
    out: (t) => { process.stdout.write(t); },
    err: (t) => { process.stderr.write(t); },
    stdin: process.stdin,
    stdout: process.stdout,
    env: process.env,
  };
}

/** Runs an entry point and exits with its code once stdout and stderr have drained. */
export function runMain(main: (argv: string[], io: ShellIO) => Promise<number>): void {
  const io = processIO();
  // A reader that goes away (`oc whoami | head -c1`) ends the command quietly, as it would a Go program.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
  main(process.argv.slice(2), io).then(
    (code) => finish(code),
    (e: unknown) => {
      io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      finish(1);
    },
  );
}

function finish(code: number): void {
  // Pipes may still hold output; exit once both streams have flushed.
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

