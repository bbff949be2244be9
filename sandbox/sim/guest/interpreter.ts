// The guest's shell language, small but honest: words with quotes, $VAR and
// $(...), `;` `&&` `||` `|`, redirections opened with bash's permission rules
// (so `sudo echo c > /proc/sysrq-trigger` fails for a normal user, as it really
// does), and a dispatcher over the command tables. The same interpreter serves
// the serial console, guest-agent exec probes and cloud-init runcmd.

import { mayOpenDevice } from './devices.ts';
import { GuestFs } from './filesystem.ts';
import {
  ShellExit, userMayRead, userMayWrite,
  type CmdCtx, type CmdGen, type Command, type ShellHost, type ShellIo, type ShellSession, type ShellYield,
} from './commands.ts';
import { coreCommands } from './commands-core.ts';
import { netCommands } from './commands-net.ts';
import { sysCommands } from './commands-sys.ts';
import { textCommands } from './commands-text.ts';

// ---------------------------------------------------------------- parsing

type Part = { lit: string } | { var: string } | { sub: string };
interface Word { parts: Part[]; quoted: boolean }
type Token = { word: Word } | { op: string };

interface Redirect { fd: 1 | 2 | 'both' | 0; append: boolean; target: Word | '&1' }
interface SimpleCmd { words: Word[]; redirects: Redirect[] }
interface Pipeline { cmds: SimpleCmd[]; connector: ';' | '&&' | '||' }

class ParseError extends Error {}

function findClosingParen(s: string, from: number): number {
  let depth = 1;
  let q: string | undefined;
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (q) {
      if (ch === q) q = undefined;
      else if (ch === '\\' && q === '"') i++;
      continue;
    }
    if (ch === "'" || ch === '"') q = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  let lit = '';
  const flushLit = () => {
    if (lit) {
      (word ??= { parts: [], quoted: false }).parts.push({ lit });
      lit = '';
    }
  };
  const endWord = () => {
    flushLit();
    if (word) tokens.push({ word });
    word = undefined;
  };
  const dollar = (i: number): number => {
    // Returns the index of the last character consumed.
    const next = line[i + 1];
    if (next === '(') {
      const close = findClosingParen(line, i + 2);
      if (close < 0) throw new ParseError("unexpected EOF while looking for matching `)'");
      flushLit();
      (word ??= { parts: [], quoted: false }).parts.push({ sub: line.slice(i + 2, close) });
      return close;
    }
    if (next === '{') {
      const close = line.indexOf('}', i + 2);
      if (close < 0) throw new ParseError("unexpected EOF while looking for matching `}'");
      flushLit();
      (word ??= { parts: [], quoted: false }).parts.push({ var: line.slice(i + 2, close) });
      return close;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#0-9])/.exec(line.slice(i + 1));
    if (!m) {
      lit += '$';
      return i;
    }
    flushLit();
    (word ??= { parts: [], quoted: false }).parts.push({ var: m[1] });
    return i + m[1].length;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t') {
      endWord();
      continue;
    }
    if (ch === '#' && !word && !lit) break;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ParseError("unexpected EOF while looking for matching `''");
      lit += line.slice(i + 1, close);
      (word ??= { parts: [], quoted: true }).quoted = true;
      i = close;
      continue;
    }
    if (ch === '"') {
      (word ??= { parts: [], quoted: true }).quoted = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const c = line[j];
        if (c === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) {
          lit += line[++j];
        } else if (c === '$') {
          j = dollar(j);
        } else if (c === '`') {
          const close = line.indexOf('`', j + 1);
          if (close < 0) throw new ParseError('unexpected EOF while looking for matching ``\'');
          flushLit();
          word.parts.push({ sub: line.slice(j + 1, close) });
          j = close;
        } else {
          lit += c;
        }
      }
      if (j >= line.length) throw new ParseError('unexpected EOF while looking for matching `"\'');
      i = j;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 < line.length) lit += line[++i];
      continue;
    }
    if (ch === '$') {
      i = dollar(i);
      continue;
    }
    if (ch === '`') {
      const close = line.indexOf('`', i + 1);
      if (close < 0) throw new ParseError('unexpected EOF while looking for matching ``\'');
      flushLit();
      (word ??= { parts: [], quoted: false }).parts.push({ sub: line.slice(i + 1, close) });
      i = close;
      continue;
    }
    // `2>` and `2>&1` only when the 2 stands alone.
    if (ch === '2' && line[i + 1] === '>' && !word && !lit) {
      if (line.startsWith('2>&1', i)) {
        tokens.push({ op: '2>&1' });
        i += 3;
      } else if (line[i + 2] === '>') {
        tokens.push({ op: '2>>' });
        i += 2;
      } else {
        tokens.push({ op: '2>' });
        i += 1;
      }
      continue;
    }
    const two = line.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '>>' || two === '&>') {
      endWord();
      tokens.push({ op: two });
      i++;
      continue;
    }
    if (ch === ';' || ch === '|' || ch === '>' || ch === '<' || ch === '&') {
      endWord();
      tokens.push({ op: ch === '&' ? ';' : ch });
      continue;
    }
    lit += ch;
  }
  endWord();
  return tokens;
}

function parse(line: string): Pipeline[] {
  const tokens = tokenize(line);
  const out: Pipeline[] = [];
  let connector: Pipeline['connector'] = ';';
  let pipeline: SimpleCmd[] = [];
  let cmd: SimpleCmd = { words: [], redirects: [] };
  const endCmd = (op: string) => {
    if (!cmd.words.length && !cmd.redirects.length) throw new ParseError(`syntax error near unexpected token \`${op}'`);
    pipeline.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ('word' in t) {
      cmd.words.push(t.word);
      continue;
    }
    switch (t.op) {
      case '|':
        endCmd('|');
        break;
      case ';':
      case '&&':
      case '||':
        if (!cmd.words.length && !cmd.redirects.length && !pipeline.length) {
          if (t.op === ';' && out.length === 0 && i === tokens.length - 1) break;
          throw new ParseError(`syntax error near unexpected token \`${t.op}'`);
        }
        endCmd(t.op);
        out.push({ cmds: pipeline, connector });
        pipeline = [];
        connector = t.op as Pipeline['connector'];
        break;
      case '2>&1':
        cmd.redirects.push({ fd: 2, append: false, target: '&1' });
        break;
      default: {
        const next = tokens[i + 1];
        if (!next || !('word' in next)) throw new ParseError("syntax error near unexpected token `newline'");
        i++;
        const fd = t.op === '<' ? 0 : t.op.startsWith('2') ? 2 : t.op === '&>' ? 'both' : 1;
        cmd.redirects.push({ fd, append: t.op.endsWith('>>'), target: next.word });
      }
    }
  }
  if (cmd.words.length || cmd.redirects.length) pipeline.push(cmd);
  else if (pipeline.length) throw new ParseError("syntax error: unexpected end of file");
  if (pipeline.length) out.push({ cmds: pipeline, connector });
  return out;
}

// ---------------------------------------------------------------- execution

const COMMANDS: Record<string, Command> = { ...coreCommands, ...textCommands, ...netCommands, ...sysCommands };

/** Commands a busybox guest (cirros) does not have. */
const NOT_ON_BUSYBOX = new Set(['systemctl', 'journalctl', 'hostnamectl', 'dnf', 'yum', 'rpm', 'getent', 'ss']);

export function commandExists(host: ShellHost, name: string): boolean {
  const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  if (!(base in COMMANDS)) return false;
  if (host.image.init === 'busybox' && NOT_ON_BUSYBOX.has(base)) return false;
  if (!host.image.packageManager && (base === 'dnf' || base === 'yum' || base === 'rpm')) return false;
  return true;
}

function notFound(s: ShellSession, host: ShellHost, name: string): string {
  if (host.image.init === 'busybox') return `${s.name === '-bash' ? '-sh' : s.name}: ${name}: not found\n`;
  return `${s.name}: ${name}: command not found\n`;
}

function* expandWord(w: Word, c: { host: ShellHost; session: ShellSession; err(t: string): void }): Generator<ShellYield, string[], string | undefined> {
  let text = '';
  let split = false;
  for (const p of w.parts) {
    if ('lit' in p) text += p.lit;
    else if ('var' in p) {
      const v = p.var;
      const val = v === '?' ? String(c.session.lastCode) : v === '$' ? '1234' : v === 'HOSTNAME' ? c.host.hostname() : v === 'PWD' ? c.session.cwd : c.session.env[v] ?? '';
      text += val;
      if (!w.quoted) split = true;
    } else {
      const captured: string[] = [];
      const sub = { ...c.session, interactive: false };
      yield* runParsed(c.host, sub, p.sub, { out: (t) => captured.push(t), err: (t) => c.err(t), control: () => {} });
      text += captured.join('').replace(/\n+$/, '');
      if (!w.quoted) split = true;
    }
  }
  if (split) {
    const fields = text.split(/\s+/).filter(Boolean);
    return fields;
  }
  // A leading ~ expands to the home directory, as bash does for unquoted words.
  if (!w.quoted && (text === '~' || text.startsWith('~/'))) text = c.session.home + text.slice(1);
  return [text];
}

/** Runs argv with the given streams (no parsing: sudo, guest-agent exec). */
function* execArgv(host: ShellHost, session: ShellSession, argv: string[], stdin: string, io: ShellIo): CmdGen {
  if (!argv.length) return 0;
  const [name, ...args] = argv;
  // VAR=value on its own sets a shell variable.
  const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(name);
  if (assign && !args.length) {
    session.env[assign[1]] = assign[2];
    return 0;
  }
  const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  const isPath = name.includes('/');
  if (isPath && !(base in COMMANDS)) {
    // An executable script on the guest's disk (runcmd often writes one and runs it).
    const path = GuestFs.resolve(name, session.cwd, session.home);
    const body = host.fs.read(path);
    if (body === undefined) {
      io.err(`${session.name}: ${name}: No such file or directory\n`);
      return 127;
    }
    return yield* runScript(host, session, body, path, io);
  }
  if (!commandExists(host, name)) {
    io.err(notFound(session, host, name));
    return 127;
  }
  const ctx: CmdCtx = {
    host,
    session,
    name,
    args,
    stdin,
    out: io.out,
    err: io.err,
    control: io.control,
    exec: (a, s) => execArgv(host, s ?? session, a, stdin, io),
    // A nested shell (sh -c, su -c, sudo -i cmd) ends at its own `exit`.
    runLine: (l, s) => runLine(host, s ?? session, l, io),
    runScript: (body, path, s) => runScript(host, s ?? session, body, path, io),
    exists: (n) => commandExists(host, n),
  };
  const r = COMMANDS[base](ctx);
  return typeof r === 'number' ? r : yield* r;
}

/** Runs a script's lines as `sh <path>` would. */
export function* runScript(host: ShellHost, session: ShellSession, body: string, path: string, io: ShellIo): CmdGen {
  const sub = { ...session, interactive: false, env: { ...session.env } };
  let code = 0;
  const lines = body.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (n === 0 && line.startsWith('#!')) continue;
    if (!line.trim()) continue;
    sub.name = `${path}: line ${n + 1}`;
    try {
      code = yield* runParsed(host, sub, line, io);
    } catch (e) {
      if (e instanceof ShellExit) return e.code;
      throw e;
    }
    sub.lastCode = code;
  }
  return code;
}

function* runSimple(host: ShellHost, session: ShellSession, cmd: SimpleCmd, stdin: string, io: ShellIo, piped: boolean): CmdGen {
  const errIo = { host, session, err: io.err };
  const argv: string[] = [];
  for (const w of cmd.words) argv.push(...(yield* expandWord(w, errIo)));
  // Redirections are opened by this shell, as this user, before the command runs.
  type Sink = { path: string; append: boolean; buf: string[] };
  let outSink: Sink | 'null' | undefined;
  let errSink: Sink | 'null' | 'stdout' | undefined;
  let input = stdin;
  for (const r of cmd.redirects) {
    if (r.target === '&1') {
      errSink = 'stdout';
      continue;
    }
    const [target = ''] = yield* expandWord(r.target, errIo);
    const path = GuestFs.resolve(target, session.cwd, session.home);
    if (r.fd === 0 && host.fs.device(path)) {
      const node = host.fs.device(path)!;
      const refused = mayOpenDevice(node, session.user, 'r') ? host.openDevice(path) : 'Permission denied';
      if (refused) {
        io.err(`${session.name}: ${target}: ${refused}\n`);
        return 1;
      }
      host.closeDevice(path, '');
      input = '';
      continue;
    }
    if (r.fd === 0) {
      const content = host.fs.read(path);
      if (content === undefined || !userMayRead(session, path)) {
        io.err(`${session.name}: ${target}: ${content === undefined ? 'No such file or directory' : 'Permission denied'}\n`);
        return 1;
      }
      input = content;
      continue;
    }
    let sink: Sink | 'null';
    if (path === '/dev/null') sink = 'null';
    else {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      const special = path.startsWith('/proc/') || path.startsWith('/sys/') || path.startsWith('/dev/');
      if (!special && !host.fs.isDir(parent)) {
        io.err(`${session.name}: ${target}: No such file or directory\n`);
        return 1;
      }
      if (host.fs.isDir(path)) {
        io.err(`${session.name}: ${target}: Is a directory\n`);
        return 1;
      }
      if (!userMayWrite(session, path)) {
        io.err(`${session.name}: ${target}: Permission denied\n`);
        return 1;
      }
      const refused = host.fs.device(path) ? host.openDevice(path) : undefined;
      if (refused) {
        io.err(`${session.name}: ${target}: ${refused}\n`);
        return 1;
      }
      sink = { path, append: r.append, buf: [] };
      if (!special && !r.append) host.fs.write(path, '');
    }
    if (r.fd === 1) outSink = sink;
    else if (r.fd === 2) errSink = sink;
    else {
      outSink = sink;
      errSink = 'stdout';
    }
  }
  const captured: string[] = [];
  const write = (sink: Sink | 'null', t: string) => {
    if (sink !== 'null') sink.buf.push(t);
  };
  const out = (t: string) => (outSink ? write(outSink, t) : piped ? captured.push(t) : io.out(t));
  const err = (t: string) => (errSink === 'stdout' ? out(t) : errSink ? write(errSink, t) : io.err(t));
  let code: number;
  const flush = () => {
    for (const sink of [outSink, errSink]) {
      if (!sink || sink === 'null' || sink === 'stdout') continue;
      const content = sink.buf.join('');
      sink.buf.length = 0;
      deliver(host, session, sink.path, content, sink.append, argv[0] ?? 'bash');
    }
  };
  try {
    code = yield* execArgv(host, session, argv, input, { out, err, control: io.control });
  } finally {
    flush();
  }
  if (piped) io.out(captured.join(''));
  return code;
}

/** What writing to a path does: files get content, /proc/sysrq-trigger acts, a device node is closed after the write. */
export function deliver(host: ShellHost, session: ShellSession, path: string, content: string, append: boolean, comm: string): void {
  if (path === '/proc/sysrq-trigger') {
    const key = content.trim()[0];
    if (key) host.sysrq(key, comm);
    return;
  }
  if (host.fs.device(path)) {
    host.closeDevice(path, content);
    return;
  }
  if (path.startsWith('/proc/') || path.startsWith('/sys/') || path.startsWith('/dev/')) return;
  host.fs.write(path, content, append);
  void session;
}

function* runPipeline(host: ShellHost, session: ShellSession, p: Pipeline, io: ShellIo): CmdGen {
  let stdin = '';
  let code = 0;
  for (let i = 0; i < p.cmds.length; i++) {
    const last = i === p.cmds.length - 1;
    if (last) {
      code = yield* runSimple(host, session, p.cmds[i], stdin, io, false);
    } else {
      const captured: string[] = [];
      code = yield* runSimple(host, session, p.cmds[i], stdin, { ...io, out: (t) => captured.push(t) }, true);
      stdin = captured.join('');
    }
  }
  return code;
}

/** Parses and runs one command line; `exit` ends it. */
export function* runParsed(host: ShellHost, session: ShellSession, line: string, io: ShellIo): CmdGen {
  let pipelines: Pipeline[];
  try {
    pipelines = parse(line);
  } catch (e) {
    if (e instanceof ParseError) {
      io.err(`${session.name}: ${e.message}\n`);
      session.lastCode = 2;
      return 2;
    }
    throw e;
  }
  let code = session.lastCode;
  for (const p of pipelines) {
    // Nothing runs after the kernel died or shutdown began (`echo c > /proc/sysrq-trigger; echo late`).
    if (!host.alive()) return 137;
    if (p.connector === '&&' && code !== 0) continue;
    if (p.connector === '||' && code === 0) continue;
    code = yield* runPipeline(host, session, p, io);
    session.lastCode = code;
  }
  return code;
}

/** A command line at an interactive prompt or from a script: `exit` becomes a code. */
export function* runLine(host: ShellHost, session: ShellSession, line: string, io: ShellIo): CmdGen {
  try {
    return yield* runParsed(host, session, line, io);
  } catch (e) {
    if (e instanceof ShellExit) return e.code;
    throw e;
  }
}

/** Runs argv with no shell (guest-agent exec), collecting output; waits and reads resolve at once. */
export function runCollected(host: ShellHost, session: ShellSession, argv: string[] | string): { code: number; stdout: string; stderr: string; waited: number } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: ShellIo = { out: (t) => stdout.push(t), err: (t) => stderr.push(t), control: () => {} };
  const gen = typeof argv === 'string' ? runLine(host, session, argv, io) : (function* () {
    try {
      return yield* execArgv(host, session, argv, '', io);
    } catch (e) {
      if (e instanceof ShellExit) return e.code;
      throw e;
    }
  })();
  let waited = 0;
  let r = gen.next();
  while (!r.done) {
    if ('wait' in r.value) waited += r.value.wait;
    r = gen.next(undefined);
  }
  return { code: r.value, stdout: stdout.join(''), stderr: stderr.join(''), waited };
}
