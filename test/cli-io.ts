// A CliIO for tests that run the `lab` command in process: it keeps what the
// command printed, stdout and stderr apart and interleaved.

import type { CliIO } from '../cli/io.ts';

export function captureIO(): CliIO & { stdout: () => string; stderr: () => string; text: () => string } {
  let out = '';
  let err = '';
  let all = '';
  return {
    out: (t) => { out += t; all += t; },
    err: (t) => { err += t; all += t; },
    untilStopped: () => new Promise(() => {}),
    stdout: () => out,
    stderr: () => err,
    text: () => all,
  };
}
