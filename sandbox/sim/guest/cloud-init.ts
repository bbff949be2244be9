// The slice of cloud-init the course uses: a #cloud-config document with
// hostname/fqdn, write_files, bootcmd, packages and runcmd, or a user-data
// script (#!). Unknown keys are ignored, as cloud-init ignores modules it
// does not run.

import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';

export type CloudCommand = string | string[];

export interface CloudFile {
  path: string;
  content: string;
  append: boolean;
  /** Written in the final stage, after packages are installed. */
  defer: boolean;
}

export interface CloudConfig {
  kind: 'none' | 'cloud-config' | 'script' | 'invalid';
  hostname?: string;
  writeFiles: CloudFile[];
  /** Run at every boot, early. */
  bootcmd: CloudCommand[];
  /** Installed once, in the final stage. */
  packages: string[];
  /** Run once, in the final stage, after packages. */
  runcmd: CloudCommand[];
  /** The body of a #! user-data script (runs once, in the final stage). */
  script?: string;
  /** Why the user data was not usable (shown in the cloud-init log). */
  error?: string;
}

export const EMPTY_CLOUD_CONFIG: CloudConfig = { kind: 'none', writeFiles: [], bootcmd: [], packages: [], runcmd: [] };

function commands(v: unknown): CloudCommand[] {
  if (!Array.isArray(v)) return [];
  const out: CloudCommand[] = [];
  for (const c of v) {
    if (typeof c === 'string') out.push(c);
    else if (Array.isArray(c)) out.push(c.map((a) => String(a)));
  }
  return out;
}

function decode(content: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  if (enc === 'b64' || enc === 'base64') return Buffer.from(content, 'base64').toString('utf8');
  if (enc === 'gz+b64' || enc === 'gzip+base64' || enc === 'gz+base64' || enc === 'gzip+b64') {
    return gunzipSync(Buffer.from(content, 'base64')).toString('utf8');
  }
  return content;
}

export function parseUserData(userData: string | undefined): CloudConfig {
  if (!userData || !userData.trim()) return EMPTY_CLOUD_CONFIG;
  const text = userData.replace(/^\uFEFF/, '');
  const head = text.trimStart();
  if (head.startsWith('#!')) return { ...EMPTY_CLOUD_CONFIG, kind: 'script', script: head };
  if (!head.startsWith('#cloud-config')) {
    return { ...EMPTY_CLOUD_CONFIG, kind: 'invalid', error: 'Unhandled non-multipart (text/x-not-multipart) userdata' };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { ...EMPTY_CLOUD_CONFIG, kind: 'invalid', error: `Failed loading yaml blob. ${(e as Error).message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) return { ...EMPTY_CLOUD_CONFIG, kind: 'cloud-config' };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return { ...EMPTY_CLOUD_CONFIG, kind: 'invalid', error: 'Cloud config schema errors: top-level is not a mapping' };
  }
  const d = doc as Record<string, unknown>;
  const host = typeof d.hostname === 'string' ? d.hostname : typeof d.fqdn === 'string' ? d.fqdn : undefined;
  const packages: string[] = [];
  if (Array.isArray(d.packages)) {
    for (const p of d.packages) {
      // A package may be pinned as [name, version]; the name is what matters here.
      if (typeof p === 'string') packages.push(p);
      else if (Array.isArray(p) && typeof p[0] === 'string') packages.push(p[0]);
    }
  }
  const writeFiles: CloudFile[] = [];
  if (Array.isArray(d.write_files)) {
    for (const f of d.write_files) {
      if (!f || typeof f !== 'object' || typeof (f as { path?: unknown }).path !== 'string') continue;
      const ff = f as { path: string; content?: unknown; encoding?: unknown; append?: unknown; defer?: unknown };
      let content = ff.content === undefined || ff.content === null ? '' : String(ff.content);
      try {
        content = decode(content, typeof ff.encoding === 'string' ? ff.encoding : '');
      } catch {
        continue;
      }
      writeFiles.push({ path: ff.path, content, append: ff.append === true, defer: ff.defer === true });
    }
  }
  return {
    kind: 'cloud-config',
    hostname: host,
    writeFiles,
    bootcmd: commands(d.bootcmd),
    packages,
    runcmd: commands(d.runcmd),
  };
}

/**
 * Seconds between bootedAt and the end of cloud-init's final stage on the first
 * boot: installing packages is what takes time (metadata download, rpm).
 */
export function cloudFinalSeconds(cfg: CloudConfig): number {
  return 3 + (cfg.packages.length ? 10 + 4 * cfg.packages.length : 0);
}

/** A runcmd/bootcmd entry as the line the generated shell script holds. */
export function commandLine(c: CloudCommand): string {
  if (typeof c === 'string') return c;
  return c.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
