// The pty a shell runs on, behind the few calls the terminal needs, so tests
// and benchmarks can run any program (or a fake) in its place.

import { spawn } from 'node-pty';
import type { ShellCommand } from '../../sandbox/shell/jail/session-jail.ts';

export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: Buffer) => void): void;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): void;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Stop reading output (the writer blocks once the kernel's pty buffer is full). */
  pause(): void;
  resume(): void;
  kill(signal?: string): void;
}

export type SpawnPty = (cmd: ShellCommand, size: { cols: number; rows: number }) => PtyProcess;

export const spawnNodePty: SpawnPty = (cmd, size) => {
  const pty = spawn(cmd.file, cmd.args, {
    name: cmd.env.TERM ?? 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: cmd.cwd,
    env: cmd.env,
    // Bytes, not text: output is relayed unchanged and decoded once, by each terminal.
    encoding: null,
  });
  return {
    pid: pty.pid,
    onData: (l) => { pty.onData((d) => l(d as unknown as Buffer)); },
    onExit: (l) => { pty.onExit((e) => l({ exitCode: e.exitCode, signal: e.signal || undefined })); },
    write: (d) => { pty.write(d); },
    resize: (c, r) => { pty.resize(c, r); },
    pause: () => { pty.pause(); },
    resume: () => { pty.resume(); },
    kill: (s) => { pty.kill(s); },
  };
};
