// The programs a jail runs from outside /usr, bundled into single files
// because the jail cannot see the project tree: oc, virtctl and the shell's
// `lab` client (bin/), the jail init (lib/), and the shell's rc file (etc/).
// Each build lands in a folder named by its content hash, so a running jail
// keeps the files it started with while a newer server writes new ones.

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = (name: string): string => fileURLToPath(new URL(`../entry/${name}.ts`, import.meta.url));

/** bin/<name> ← entry/<file>.ts */
const PROGRAMS = { oc: 'oc', virtctl: 'virtctl', lab: 'lab' } as const;

export const INIT_SCRIPT = 'lib/jail-init.cjs';
export const BASHRC = 'etc/bashrc';

/** The shell's rc file: history in the home, a few aliases, then the student's own ~/.bashrc. */
const BASHRC_TEXT = `# virtlab lab shell
HISTFILE="$HOME/.bash_history"
HISTSIZE=5000
HISTFILESIZE=10000
HISTCONTROL=ignoredups
shopt -s histappend checkwinsize
alias ls='ls --color=auto'
alias ll='ls -l'
alias grep='grep --color=auto'
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
`;

export interface ShellTools {
  /** Host folder holding bin/, lib/, etc/. */
  dir: string;
}

/** Bundles the tools (once per content) under root and returns their folder. */
export async function prepareShellTools(root: string): Promise<ShellTools> {
  const entryPoints: Record<string, string> = { 'jail-init': ENTRY('jail-init') };
  for (const [name, file] of Object.entries(PROGRAMS)) entryPoints[name] = ENTRY(file);
  const result = await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    outdir: '/bundle',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
    legalComments: 'none',
  });
  const files = new Map<string, { text: Uint8Array; mode: number }>();
  for (const out of result.outputFiles) {
    const name = out.path.replace(/^.*\//, '').replace(/\.js$/, '');
    if (name === 'jail-init') files.set(INIT_SCRIPT, { text: out.contents, mode: 0o644 });
    else files.set(`bin/${name}`, { text: out.contents, mode: 0o755 });
  }
  files.set(BASHRC, { text: Buffer.from(BASHRC_TEXT), mode: 0o644 });

  const hash = createHash('sha256');
  for (const [path, f] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(path).update(f.text);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  const dir = join(root, hash.digest('hex').slice(0, 16));
  if (existsSync(dir)) return { dir };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [path, f] of files) {
    const file = join(tmp, path);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.text, { mode: f.mode });
    chmodSync(file, f.mode);
  }
  for (const sub of ['', 'bin', 'lib', 'etc']) chmodSync(join(tmp, sub), 0o755);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another server process wrote the same content first.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(dir)) throw e;
  }
  return { dir };
}
