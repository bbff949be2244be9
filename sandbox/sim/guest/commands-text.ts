// Text tools for pipelines and config edits: grep, head, tail, wc, and the
// `s///` and `/re/d` forms of sed (what labs use to change a Listen port).

import { userMayWrite, type CmdCtx, type Command } from './commands.ts';
import { flags, readPath, resolve } from './commands-core.ts';

/** A basic regular expression (grep/sed default) as a JS RegExp source. */
function breToJs(re: string): string {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const ch = re[i];
    if (ch === '\\' && i + 1 < re.length) {
      const n = re[++i];
      out += '|+?(){}'.includes(n) ? n : `\\${n}`;
    } else if ('|+?(){}'.includes(ch)) {
      out += `\\${ch}`;
    } else out += ch;
  }
  return out;
}

function compile(pattern: string, extended: boolean, fixed: boolean, icase: boolean): RegExp | undefined {
  try {
    const src = fixed ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : extended ? pattern : breToJs(pattern);
    return new RegExp(src, icase ? 'i' : '');
  } catch {
    return undefined;
  }
}

function inputs(c: CmdCtx, files: string[], cmd: string): { name: string; text: string }[] | undefined {
  if (!files.length) return [{ name: '(standard input)', text: c.stdin }];
  const out: { name: string; text: string }[] = [];
  for (const f of files) {
    const r = readPath(c, resolve(c, f));
    if (r.error) {
      c.err(`${cmd}: ${f}: ${r.error}\n`);
      return undefined;
    }
    out.push({ name: f, text: r.text ?? '' });
  }
  return out;
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}

function grep(c: CmdCtx): number {
  const { set, values, rest } = flags(c.args, ['-e', '-m']);
  const pattern = values.get('-e') ?? rest.shift();
  if (pattern === undefined) {
    c.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  const re = compile(pattern, set.has('-E'), set.has('-F'), set.has('-i'));
  if (!re) {
    c.err('grep: Unmatched ( or \\(\n');
    return 2;
  }
  const files = inputs(c, rest, 'grep');
  if (!files) return 2;
  let matched = 0;
  for (const f of files) {
    let count = 0;
    lines(f.text).forEach((line, n) => {
      const hit = re.test(line) !== set.has('-v');
      if (!hit) return;
      count++;
      matched++;
      if (set.has('-q') || set.has('-c')) return;
      const prefix = (files.length > 1 ? `${f.name}:` : '') + (set.has('-n') ? `${n + 1}:` : '');
      c.out(`${prefix}${line}\n`);
    });
    if (set.has('-c') && !set.has('-q')) c.out(`${files.length > 1 ? `${f.name}:` : ''}${count}\n`);
  }
  return matched ? 0 : 1;
}

function headTail(c: CmdCtx): number {
  const args = c.args.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
  const { values, rest } = flags(args, ['-n']);
  const n = Number.parseInt(values.get('-n') ?? '10', 10);
  const files = inputs(c, rest, c.name);
  if (!files) return 1;
  for (const f of files) {
    const l = lines(f.text);
    const pick = c.name === 'head' ? l.slice(0, n) : l.slice(Math.max(0, l.length - n));
    if (pick.length) c.out(pick.join('\n') + '\n');
  }
  return 0;
}

function wc(c: CmdCtx): number {
  const { set, rest } = flags(c.args);
  const files = inputs(c, rest, 'wc');
  if (!files) return 1;
  for (const f of files) {
    const counts = [lines(f.text).length, f.text.split(/\s+/).filter(Boolean).length, Buffer.byteLength(f.text)];
    const pick = set.size ? [set.has('-l') ? counts[0] : undefined, set.has('-w') ? counts[1] : undefined, set.has('-c') ? counts[2] : undefined].filter((x) => x !== undefined) : counts;
    const name = rest.length ? ` ${f.name}` : '';
    c.out(pick.length === 1 && !rest.length ? `${pick[0]}\n` : `${pick.map((x) => String(x).padStart(set.size ? 1 : 7, ' ')).join(' ')}${name}\n`);
  }
  return 0;
}

interface SedOp { kind: 's'; re: RegExp; repl: string; global: boolean } 
type SedCmd = SedOp | { kind: 'd'; re: RegExp };

function parseSed(expr: string): SedCmd[] | undefined {
  const cmds: SedCmd[] = [];
  for (const part of expr.split(/;(?=\s*(?:s|\/))/)) {
    const e = part.trim();
    if (!e) continue;
    if (e[0] === 's' && e.length > 1) {
      const d = e[1];
      const fields: string[] = [];
      let cur = '';
      for (let i = 2; i < e.length; i++) {
        if (e[i] === '\\' && e[i + 1] === d) {
          cur += d;
          i++;
        } else if (e[i] === d) {
          fields.push(cur);
          cur = '';
        } else cur += e[i];
      }
      fields.push(cur);
      if (fields.length < 3) return undefined;
      const [pat, repl, fl] = fields;
      const re = compile(pat, false, false, fl.includes('i') || fl.includes('I'));
      if (!re) return undefined;
      cmds.push({ kind: 's', re: new RegExp(re.source, re.flags + (fl.includes('g') ? 'g' : '')), repl, global: fl.includes('g') });
      continue;
    }
    const del = /^\/(.*)\/d$/.exec(e);
    if (del) {
      const re = compile(del[1], false, false, false);
      if (!re) return undefined;
      cmds.push({ kind: 'd', re });
      continue;
    }
    return undefined;
  }
  return cmds;
}

function applySed(cmds: SedCmd[], text: string): string {
  const out: string[] = [];
  const trailing = text.endsWith('\n');
  for (const line of lines(text)) {
    let l = line;
    let deleted = false;
    for (const cmd of cmds) {
      if (cmd.kind === 'd') {
        if (cmd.re.test(l)) {
          deleted = true;
          break;
        }
        continue;
      }
      // sed's & and \1..\9 become JS's $& and $1..$9.
      const repl = cmd.repl.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\&/g, '&');
      l = l.replace(cmd.re, repl);
    }
    if (!deleted) out.push(l);
  }
  return out.join('\n') + (trailing || out.length ? '\n' : '');
}

function sed(c: CmdCtx): number {
  const args = [...c.args];
  let inPlace = false;
  const exprs: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-i' || a.startsWith('-i')) inPlace = true;
    else if (a === '-e') exprs.push(args[++i] ?? '');
    else if (a === '-E' || a === '-r') continue;
    else if (!exprs.length && !a.startsWith('-')) exprs.push(a);
    else files.push(a);
  }
  const cmds = parseSed(exprs.join(';'));
  if (!cmds) {
    c.err(`sed: -e expression #1, char ${exprs.join(';').length}: unknown command\n`);
    return 1;
  }
  if (!files.length) {
    c.out(applySed(cmds, c.stdin));
    return 0;
  }
  for (const f of files) {
    const path = resolve(c, f);
    const r = readPath(c, path);
    if (r.error) {
      c.err(`sed: can't read ${f}: ${r.error}\n`);
      return 2;
    }
    const result = applySed(cmds, r.text ?? '');
    if (inPlace) {
      if (!userMayWrite(c.session, path)) {
        const dir = path.slice(0, path.lastIndexOf('/')) || '/';
        c.err(`sed: couldn't open temporary file ${dir}/sedQ3xT9a: Permission denied\n`);
        return 4;
      }
      c.host.fs.write(path, result);
    } else c.out(result);
  }
  return 0;
}

export const textCommands: Record<string, Command> = { grep, head: headTail, tail: headTail, wc, sed };
