// Bundles the browser UI with esbuild into web/dist: one JS and one CSS file
// (xterm.css included) with content hashes in their names under assets/,
// and index.html pointing at them. Nothing is fetched from a CDN.
//
//   npm run build:web             build now
//   node --import tsx web/build.ts --if-stale    build only when web/dist is missing or older than web/src
//
// `lab serve` calls ensureWebBuilt() itself, so `npm install && npm start` works on a fresh checkout.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB = dirname(fileURLToPath(import.meta.url));
export const WEB_SRC = join(WEB, 'src');
export const WEB_DIST = join(WEB, 'dist');
/** What the built bundle also depends on: a new package version means a rebuild. */
const INPUTS = [WEB_SRC, fileURLToPath(new URL('../package-lock.json', import.meta.url)), fileURLToPath(import.meta.url)];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** Whether outDir lacks a bundle or is older than the sources. */
export function webIsStale(outDir = WEB_DIST): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return INPUTS.some((p) => newest(p) > built);
}

export interface BuiltWeb {
  outDir: string;
  files: string[];
}

/**
 * Builds into a fresh folder next to outDir, then swaps it in, so a server
 * reading outDir never sees half a bundle and two builds at once do not mix.
 */
export async function buildWeb(opts: { outDir?: string; minify?: boolean } = {}): Promise<BuiltWeb> {
  const outDir = opts.outDir ?? WEB_DIST;
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(join(staging, 'assets'), { recursive: true });
  try {
    const result = await build({
      entryPoints: { main: join(WEB_SRC, 'main.ts') },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
      outdir: join(staging, 'assets'),
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      minify: opts.minify ?? true,
      sourcemap: 'linked',
      metafile: true,
      legalComments: 'linked',
      logLevel: 'silent',
      loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
    });
    const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
    const js = outputs.find((f) => /^main-.*\.js$/.test(f));
    const css = outputs.find((f) => /^main-.*\.css$/.test(f));
    if (!js || !css) throw new Error(`esbuild produced no main JS or CSS (got ${outputs.join(', ')})`);
    const html = readFileSync(join(WEB_SRC, 'index.html'), 'utf8').replace('{{js}}', js).replace('{{css}}', css);
    writeFileSync(join(staging, 'index.html'), html);
    const old = `${outDir}.old-${process.pid}-${Date.now()}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    try {
      renameSync(staging, outDir);
    } catch (e) {
      // Another build swapped its bundle in between: it is as new as ours.
      if (!existsSync(join(outDir, 'index.html'))) throw e;
      rmSync(staging, { recursive: true, force: true });
    }
    rmSync(old, { recursive: true, force: true });
    return { outDir, files: ['index.html', ...outputs.map((f) => `assets/${f}`)] };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Builds web/dist when it is missing or older than web/src (what `lab serve` calls). */
export async function ensureWebBuilt(log?: (line: string) => void): Promise<void> {
  if (!webIsStale()) return;
  const t = Date.now();
  const built = await buildWeb();
  log?.(`web UI built into ${built.outDir} in ${Date.now() - t} ms`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  const t = Date.now();
  if (ifStale && !webIsStale()) {
    console.log(`web UI in ${WEB_DIST} is up to date`);
  } else {
    buildWeb().then((b) => {
      console.log(`web UI built into ${b.outDir} in ${Date.now() - t} ms: ${b.files.join(', ')}`);
    }, (e: unknown) => {
      console.error(`web build failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
  }
}
