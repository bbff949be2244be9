// The guest's serial console (ttyS0): what the kernel and systemd print, the
// getty login, and an interactive shell with line editing. There is one tty
// per guest; like virt-handler, opening a console closes the previous
// connection, and closing a connection does not log the user out.

import type { Timer } from '../clock.ts';
import type { GuestImage } from './catalog.ts';
import { newSession, type CmdGen, type ShellControl, type ShellHost, type ShellIo, type ShellSession } from './commands.ts';
import { dateText } from './commands-core.ts';
import { runLine } from './interpreter.ts';
import { issue } from './messages.ts';
import type { ConsoleSession } from './types.ts';

export interface ConsoleHost {
  readonly image: GuestImage;
  readonly shell: ShellHost;
  hostname(): string;
  now(): number;
  /** Guest-time delay (frozen while the domain is paused). */
  after(seconds: number, fn: () => void): Timer;
}

interface Attached {
  emit(data: string): void;
  end(): void;
}

interface Running {
  gen: CmdGen;
  timer?: Timer;
  read?: { echo: boolean };
}

type Mode = 'off' | 'login' | 'password' | 'shell';

export class SerialConsole {
  private readonly attached = new Set<Attached>();
  private mode: Mode = 'off';
  private line = '';
  private pendingUser = '';
  private stack: ShellSession[] = [];
  private running?: Running;
  private typeahead: string[] = [];
  private history: string[] = [];
  private historyPos = -1;
  private escape: string | undefined;
  private lastWasCR = false;
  private frozen = false;
  private frozenInput = '';
  /** Bumped whenever the shell is torn down, so a command still on the stack drops its result. */
  private epoch = 0;
  private readonly lastLogin = new Map<string, number>();

  constructor(private readonly host: ConsoleHost) {}

  /** A new client connection; the previous one is closed, as virt-handler does. */
  open(): ConsoleSession {
    for (const a of [...this.attached]) a.end();
    const listeners = new Set<(d: string) => void>();
    const closers = new Set<() => void>();
    let open = true;
    const entry: Attached = {
      emit: (d) => {
        for (const l of [...listeners]) l(d);
      },
      end: () => {
        if (!open) return;
        open = false;
        this.attached.delete(entry);
        for (const l of [...closers]) l();
      },
    };
    this.attached.add(entry);
    return {
      write: (data) => {
        if (open) this.input(data);
      },
      onData: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      close: () => {
        open = false;
        this.attached.delete(entry);
      },
      onClose: (l) => {
        closers.add(l);
        return () => closers.delete(l);
      },
    };
  }

  /** The domain is gone: every connection ends. */
  closeAll(): void {
    for (const a of [...this.attached]) a.end();
  }

  /** Guest output to every connection, with the tty's \n → \r\n. */
  print(text: string): void {
    if (!text) return;
    const data = text.replace(/\r?\n/g, '\r\n');
    for (const a of this.attached) a.emit(data);
  }

  /** Users logged in on the console. */
  loggedIn(): number {
    return this.stack.length ? 1 : 0;
  }

  /** The shell and getty die (hang, power-off, reset): nothing reads input any more. */
  down(): void {
    this.abortRunning();
    this.mode = 'off';
    this.line = '';
    this.stack = [];
    this.typeahead = [];
    this.epoch++;
  }

  /** getty (re)starts on ttyS0: banner and login prompt. */
  getty(): void {
    this.abortRunning();
    this.epoch++;
    this.stack = [];
    this.line = '';
    this.typeahead = [];
    this.mode = 'login';
    this.print(`${issue(this.host.image)}${this.loginPrompt()}`);
  }

  /** A paused domain reads nothing; keys wait in the serial buffer until it resumes. */
  freeze(frozen: boolean): void {
    this.frozen = frozen;
    if (!frozen && this.frozenInput) {
      const pending = this.frozenInput;
      this.frozenInput = '';
      this.input(pending);
    }
  }

  input(data: string): void {
    if (this.frozen) {
      this.frozenInput += data;
      return;
    }
    for (const ch of data) this.key(ch);
  }

  private loginPrompt(): string {
    return `${this.host.hostname().split('.')[0]} login: `;
  }

  private prompt(): string {
    const s = this.stack.at(-1);
    if (!s) return '';
    const root = s.user === 'root';
    if (this.host.image.init === 'busybox') return root ? '# ' : '$ ';
    const dir = s.cwd === s.home ? '~' : s.cwd === '/' ? '/' : s.cwd.slice(s.cwd.lastIndexOf('/') + 1);
    return `[${s.user}@${this.host.hostname().split('.')[0]} ${dir}]${root ? '#' : '$'} `;
  }

  private echoing(): boolean {
    if (this.mode === 'password') return false;
    if (this.running?.read) return this.running.read.echo;
    return true;
  }

  private key(ch: string): void {
    if (this.mode === 'off') return;
    if (this.escape !== undefined) {
      this.escape += ch;
      if (this.escape.length === 1 && ch !== '[' && ch !== 'O') this.escape = undefined;
      else if (this.escape.length > 1 && /[@-~]/.test(ch)) {
        const seq = this.escape;
        this.escape = undefined;
        this.escapeSequence(seq);
      }
      return;
    }
    if (ch === '\x1b') {
      this.escape = '';
      return;
    }
    if (ch === '\n' && this.lastWasCR) {
      this.lastWasCR = false;
      return;
    }
    this.lastWasCR = ch === '\r';
    switch (ch) {
      case '\r':
      case '\n':
        return this.enter();
      case '\x7f':
      case '\b':
        if (this.line) {
          this.line = this.line.slice(0, -1);
          if (this.echoing()) this.print('\b \b');
        }
        return;
      case '\x03':
        return this.interrupt();
      case '\x04':
        return this.endOfInput();
      case '\x15':
        if (this.echoing()) this.print('\b \b'.repeat(this.line.length));
        this.line = '';
        return;
      case '\x0c':
        if (this.mode === 'shell' && !this.running) this.print(`\x1b[H\x1b[2J${this.prompt()}${this.line}`);
        return;
      default:
        if (ch < ' ') return;
        this.line += ch;
        if (this.echoing()) this.print(ch);
    }
  }

  private escapeSequence(seq: string): void {
    if (this.mode !== 'shell' || this.running || !this.history.length) return;
    if (seq === '[A' || seq === 'OA') {
      this.historyPos = this.historyPos < 0 ? this.history.length - 1 : Math.max(0, this.historyPos - 1);
      this.replaceLine(this.history[this.historyPos]);
    } else if (seq === '[B' || seq === 'OB') {
      if (this.historyPos < 0) return;
      this.historyPos++;
      if (this.historyPos >= this.history.length) {
        this.historyPos = -1;
        this.replaceLine('');
      } else this.replaceLine(this.history[this.historyPos]);
    }
  }

  private replaceLine(text: string): void {
    this.print('\b \b'.repeat(this.line.length) + text);
    this.line = text;
  }

  private enter(): void {
    const text = this.line;
    this.line = '';
    this.print('\n');
    switch (this.mode) {
      case 'login':
        if (!text.trim()) {
          this.print(this.loginPrompt());
          return;
        }
        this.pendingUser = text.trim();
        this.mode = 'password';
        this.print('Password: ');
        return;
      case 'password':
        this.login(this.pendingUser);
        return;
      case 'shell':
        if (this.running?.read) {
          this.running.read = undefined;
          this.step(text);
        } else if (this.running) {
          this.typeahead.push(text);
        } else this.submit(text);
        return;
      default:
    }
  }

  private login(user: string): void {
    const last = this.lastLogin.get(user);
    // cloud-init created the default user's home; any other name gets one as pam_mkhomedir would.
    this.host.shell.fs.mkdir(user === 'root' ? '/root' : `/home/${user}`, true);
    this.lastLogin.set(user, this.host.now());
    const session = newSession(user, { interactive: true, login: true, name: this.host.image.init === 'busybox' ? '-sh' : '-bash' });
    this.stack = [session];
    this.mode = 'shell';
    this.historyPos = -1;
    let banner = '';
    if (last !== undefined) banner += `Last login: ${dateText(last).replace(' UTC', '')} on ttyS0\n`;
    if (this.host.image.family === 'rhel') banner += 'Register this system with Red Hat Insights: insights-client --register\nCreate an account or view all your systems at https://red.ht/insights-dashboard\n';
    this.print(banner + this.prompt());
  }

  private submit(text: string): void {
    if (!text.trim()) {
      this.print(this.prompt());
      return;
    }
    if (this.history.at(-1) !== text) this.history.push(text);
    if (this.history.length > 500) this.history.shift();
    this.historyPos = -1;
    const session = this.stack.at(-1)!;
    // Once the shell is torn down (panic, poweroff), whatever the command still says goes nowhere.
    const epoch = this.epoch;
    const live = () => this.epoch === epoch;
    const io: ShellIo = {
      out: (t) => live() && this.print(t),
      err: (t) => live() && this.print(t),
      control: (c) => live() && this.control(c),
    };
    this.running = { gen: runLine(this.host.shell, session, text, io) };
    this.step(undefined);
  }

  /** Advances the running command until it finishes, waits or asks for input. */
  private step(value: string | undefined): void {
    const run = this.running;
    if (!run) return;
    const epoch = this.epoch;
    let r: IteratorResult<unknown, number>;
    try {
      r = run.gen.next(value);
    } catch (e) {
      if (this.epoch !== epoch) return;
      this.print(`-bash: ${(e as Error).message}\n`);
      r = { done: true, value: 1 };
    }
    // The command took the shell down (poweroff, a kernel panic, logout).
    if (this.epoch !== epoch || this.running !== run) return;
    if (r.done) {
      this.running = undefined;
      const top = this.stack.at(-1);
      if (top) top.lastCode = r.value;
      this.afterCommand();
      return;
    }
    const y = r.value as { wait: number } | { read: string; echo: boolean };
    if ('wait' in y) {
      run.timer = this.host.after(y.wait, () => {
        run.timer = undefined;
        this.step(undefined);
      });
    } else {
      this.print(y.read);
      // Lines typed ahead sit in the tty buffer, so the next read consumes them.
      const ahead = this.typeahead.shift();
      if (ahead !== undefined) {
        this.print(y.echo ? `${ahead}\n` : '\n');
        this.step(ahead);
        return;
      }
      run.read = { echo: y.echo };
    }
  }

  private afterCommand(): void {
    if (this.mode !== 'shell') return;
    const next = this.typeahead.shift();
    if (next !== undefined) {
      this.print(`${this.prompt()}${next}\n`);
      this.submit(next);
      return;
    }
    this.print(this.prompt() + this.line);
  }

  private control(c: ShellControl): void {
    switch (c.kind) {
      case 'clear':
        this.print('\x1b[H\x1b[2J\x1b[3J');
        return;
      case 'push':
        this.stack.push({ ...c.session, interactive: true });
        return;
      case 'exit': {
        const s = this.stack.pop();
        this.print(s?.login ? 'logout\n' : 'exit\n');
        if (!this.stack.length) this.getty();
        return;
      }
      default:
    }
  }

  private abortRunning(): void {
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    run.timer?.cancel();
    try {
      run.gen.return(130);
    } catch {
      // A command's clean-up failing must not take the console with it.
    }
  }

  private interrupt(): void {
    if (this.mode === 'login' || this.mode === 'password') {
      this.line = '';
      this.mode = 'login';
      this.print(`\n${this.loginPrompt()}`);
      return;
    }
    if (this.mode !== 'shell') return;
    this.print('^C\n');
    if (this.running) {
      this.abortRunning();
      const top = this.stack.at(-1);
      if (top) top.lastCode = 130;
      this.typeahead = [];
    }
    this.line = '';
    this.print(this.prompt());
  }

  private endOfInput(): void {
    if (this.mode !== 'shell') return;
    if (this.running?.read) {
      this.running.read = undefined;
      this.print('\n');
      this.step(undefined);
      return;
    }
    if (this.running || this.line) return;
    // Ctrl-D on an empty line ends the shell like `exit`.
    this.control({ kind: 'exit' });
  }
}
