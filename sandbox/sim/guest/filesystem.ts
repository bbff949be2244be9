// A guest's files: only what the labs touch (configs, the web root, cloud-init
// output). A containerDisk is ephemeral, so the tree lives as long as the
// domain's guest record: reboots keep it, a new VMI starts from the image.
// Device nodes (/dev) are not files: they come from the hardware at each boot
// and are never part of a snapshot.

import type { DeviceNode } from './devices.ts';
import type { FilesSnapshot } from './snapshot.ts';

export class GuestFs {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>(['/']);
  private readonly devices = new Map<string, DeviceNode>();

  constructor(initial: Record<string, string> = {}) {
    for (const [p, c] of Object.entries(initial)) this.write(p, c);
    for (const d of ['/etc', '/home', '/root', '/tmp', '/var/log', '/proc', '/dev']) this.mkdir(d, true);
  }

  /** Absolute, normalised path; relative paths resolve against cwd, `~` against home. */
  static resolve(path: string, cwd = '/', home = '/root'): string {
    let p = path;
    if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
    if (!p.startsWith('/')) p = `${cwd}/${p}`;
    const out: string[] = [];
    for (const part of p.split('/')) {
      if (!part || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  read(path: string): string | undefined {
    return this.files.get(GuestFs.resolve(path));
  }

  isFile(path: string): boolean {
    return this.files.has(GuestFs.resolve(path));
  }

  isDir(path: string): boolean {
    return this.dirs.has(GuestFs.resolve(path));
  }

  /** The device node at a path, if there is one. */
  device(path: string): DeviceNode | undefined {
    return this.devices.get(GuestFs.resolve(path));
  }

  exists(path: string): boolean {
    return this.isFile(path) || this.isDir(path) || this.devices.has(GuestFs.resolve(path));
  }

  /** Makes the nodes devtmpfs has after a boot (again, if someone removed one). */
  mknod(nodes: DeviceNode[]): void {
    for (const n of nodes) {
      this.mkdir(n.path.slice(0, n.path.lastIndexOf('/')) || '/', true);
      this.devices.set(n.path, n);
    }
  }

  /** Writes a file, creating its parent directories (a `.keep` name only creates the directory). */
  write(path: string, content: string, append = false): void {
    const p = GuestFs.resolve(path);
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    this.mkdir(parent, true);
    if (p.endsWith('/.keep')) return;
    this.files.set(p, append ? (this.files.get(p) ?? '') + content : content);
  }

  /** Writes only if the file does not exist (package files never overwrite local edits). */
  writeIfMissing(path: string, content: string): void {
    if (!this.exists(path)) this.write(path, content);
  }

  mkdir(path: string, parents = false): boolean {
    const p = GuestFs.resolve(path);
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (!this.dirs.has(parent)) {
      if (!parents) return false;
      this.mkdir(parent, true);
    }
    this.dirs.add(p);
    return true;
  }

  remove(path: string, recursive = false): boolean {
    const p = GuestFs.resolve(path);
    if (this.files.delete(p) || this.devices.delete(p)) return true;
    if (!this.dirs.has(p) || p === '/') return false;
    const inside = (x: string) => x.startsWith(p + '/');
    if (!recursive && ([...this.files.keys(), ...this.devices.keys()].some(inside) || [...this.dirs].some(inside))) return false;
    for (const f of [...this.files.keys()]) if (inside(f)) this.files.delete(f);
    for (const f of [...this.devices.keys()]) if (inside(f)) this.devices.delete(f);
    for (const d of [...this.dirs]) if (inside(d)) this.dirs.delete(d);
    this.dirs.delete(p);
    return true;
  }

  /** Entry names directly inside a directory, sorted; directories end with '/'. */
  list(path: string): string[] | undefined {
    const p = GuestFs.resolve(path);
    if (!this.dirs.has(p)) return undefined;
    const prefix = p === '/' ? '/' : p + '/';
    const names = new Set<string>();
    for (const f of [...this.files.keys(), ...this.devices.keys()]) if (f.startsWith(prefix) && !f.slice(prefix.length).includes('/')) names.add(f.slice(prefix.length));
    for (const d of this.dirs) if (d !== p && d.startsWith(prefix) && !d.slice(prefix.length).includes('/')) names.add(d.slice(prefix.length) + '/');
    return [...names].sort((a, b) => a.localeCompare(b));
  }

  /** Files matching a directory and a suffix (e.g. conf.d/*.conf), sorted like a glob. */
  glob(dir: string, suffix: string): string[] {
    const prefix = GuestFs.resolve(dir) + '/';
    return [...this.files.keys()].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/') && f.endsWith(suffix)).sort();
  }

  /** Every file and directory, for a guest snapshot. */
  snapshot(): FilesSnapshot {
    return { files: Object.fromEntries(this.files), dirs: [...this.dirs] };
  }

  /** Replaces the tree with a snapshot's (device nodes stay: they belong to the hardware). */
  restore(snap: FilesSnapshot): void {
    this.files.clear();
    this.dirs.clear();
    for (const d of snap.dirs) this.dirs.add(d);
    this.dirs.add('/');
    for (const [p, c] of Object.entries(snap.files)) this.files.set(p, c);
  }
}
