// Puts the session's cluster into ~/.kube/config without losing what the
// student did to it: the `virtlab` cluster and user are replaced, the
// `virtlab` context keeps its namespace (`oc project`), other contexts stay,
// and stanzas that still carry the previous token (oc writes its own) get the
// new one. Runs inside the jail, as the student, so a symlink planted in the
// home can never make the server write outside it.

import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

type Json = Record<string, unknown>;
type Named = { name: string; [k: string]: unknown };

function list(doc: Json, key: string): Named[] {
  const v = doc[key];
  return Array.isArray(v) ? v.filter((x): x is Named => !!x && typeof x === 'object' && typeof (x as Named).name === 'string') : [];
}

function upsert(items: Named[], item: Named): Named[] {
  const i = items.findIndex((x) => x.name === item.name);
  if (i < 0) return [...items, item];
  const copy = [...items];
  copy[i] = item;
  return copy;
}

function tokenOf(u: Named | undefined): string | undefined {
  const t = (u?.user as Json | undefined)?.token;
  return typeof t === 'string' ? t : undefined;
}

/** The merged kubeconfig (pure: source and current documents in, document out). */
export function mergeKubeconfig(source: Json, current: Json | undefined): Json {
  if (!current) return source;
  const out: Json = { ...current };
  let clusters = list(current, 'clusters');
  let users = list(current, 'users');
  let contexts = list(current, 'contexts');
  const srcUsers = list(source, 'users');
  for (const c of list(source, 'clusters')) clusters = upsert(clusters, c);
  for (const u of srcUsers) {
    const old = tokenOf(users.find((x) => x.name === u.name));
    const fresh = tokenOf(u);
    if (old && fresh && old !== fresh) {
      users = users.map((x) => (tokenOf(x) === old ? { ...x, user: { ...(x.user as Json), token: fresh } } : x));
    }
    users = upsert(users, u);
  }
  for (const c of list(source, 'contexts')) {
    const had = contexts.find((x) => x.name === c.name);
    const ns = (had?.context as Json | undefined)?.namespace;
    contexts = upsert(contexts, ns ? { ...c, context: { ...(c.context as Json), namespace: ns } } : c);
  }
  out.clusters = clusters;
  out.users = users;
  out.contexts = contexts;
  if (!out['current-context']) out['current-context'] = source['current-context'];
  return out;
}

export function installKubeconfig(sourcePath: string, targetPath: string): void {
  const source = parseYaml(readFileSync(sourcePath, 'utf8')) as Json;
  let current: Json | undefined;
  if (existsSync(targetPath)) {
    try {
      const doc = parseYaml(readFileSync(targetPath, 'utf8')) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) current = doc as Json;
    } catch {
      // A kubeconfig the student broke is replaced, not merged.
    }
  }
  mkdirSync(dirname(targetPath), { recursive: true, mode: 0o700 });
  const tmp = `${targetPath}.virtlab-tmp`;
  writeFileSync(tmp, stringifyYaml(mergeKubeconfig(source, current)), { mode: 0o600 });
  renameSync(tmp, targetPath);
}
