// Persistent homes, one per session, under the server's data dir. When the
// server runs as root every session gets its own host uid (from uidBase up,
// remembered as the owner of its home), so even a process that escaped its
// jail could not read another session's home.

import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Home {
  path: string;
  /** Host uid/gid the session's jail runs as (root servers only). */
  owner?: { uid: number; gid: number };
}

export const DEFAULT_UID_BASE = 3_000_000;

/** Creates (or finds) a session's home; with uidBase, owned by the session's own uid. */
export function ensureHome(homesDir: string, folder: string, uidBase?: number): Home {
  mkdirSync(homesDir, { recursive: true, mode: 0o711 });
  chmodSync(homesDir, 0o711);
  const path = join(homesDir, folder);
  let existing;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (uidBase === undefined) {
    if (!existing) mkdirSync(path, { mode: 0o700 });
    return { path };
  }
  if (existing && existing.uid >= uidBase) return { path, owner: { uid: existing.uid, gid: existing.gid } };
  // Synchronous from scan to chown: no other allocation interleaves in this process.
  let max = uidBase - 1;
  for (const name of readdirSync(homesDir)) {
    if (name === folder) continue;
    try {
      max = Math.max(max, statSync(join(homesDir, name)).uid);
    } catch {
      // vanished meanwhile
    }
  }
  const uid = max + 1;
  if (!existing) mkdirSync(path, { mode: 0o700 });
  else giveTree(path, uid);
  chownSync(path, uid, uid);
  chmodSync(path, 0o700);
  return { path, owner: { uid, gid: uid } };
}

/** A home made before (by an unjailed shell) becomes the session uid's, links left unfollowed. */
function giveTree(dir: string, uid: number): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    lchownSync(p, uid, uid);
    if (lstatSync(p).isDirectory()) giveTree(p, uid);
  }
}
