// Writes kubeconfig changes back the way client-go's ModifyConfig does (what
// `oc project` and `kubectl config` use): each changed cluster, user or context
// goes to the file it came from, a new one to the default file; the
// current-context goes to the explicit file, else the first file that already
// sets one, else the default file. Files are rewritten whole with sorted keys.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { precedence, type LoadingRules, type RawConfig } from './kubeconfig.ts';

type Json = Record<string, unknown>;

export interface StanzaChange {
  kind: 'clusters' | 'users' | 'contexts';
  name: string;
  value: Json;
}

export interface ConfigChange {
  currentContext?: string;
  stanzas: StanzaChange[];
}

const INNER = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;
const PATH_KEYS: Record<StanzaChange['kind'], string[]> = {
  clusters: ['certificate-authority'],
  users: ['client-certificate', 'client-key', 'tokenFile'],
  contexts: [],
};

/** PathOptions.GetDefaultFilename. */
export function defaultFilename(rules: LoadingRules): string {
  if (rules.explicitPath) return rules.explicitPath;
  if (rules.envPaths.length === 1) return rules.envPaths[0];
  if (rules.envPaths.length > 1) return rules.envPaths.find((f) => existsSync(f)) ?? rules.envPaths[rules.envPaths.length - 1];
  return rules.globalFile;
}

function readDoc(file: string): Json {
  if (!existsSync(file)) return { apiVersion: 'v1', kind: 'Config', preferences: {} };
  const doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
  return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Json) : { apiVersion: 'v1', kind: 'Config', preferences: {} };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as Json).sort().map((k) => [k, sortKeys((v as Json)[k])]));
  }
  return v;
}

function writeDoc(file: string, doc: Json): void {
  for (const key of ['clusters', 'users', 'contexts']) if (doc[key] === undefined) doc[key] = null;
  if (doc['current-context'] === undefined) doc['current-context'] = '';
  if (doc.preferences === undefined || doc.preferences === null) doc.preferences = {};
  mkdirSync(dirname(file), { recursive: true });
  const text = stringifyYaml(sortKeys(doc), { indentSeq: false, lineWidth: 0, nullStr: 'null' });
  writeFileSync(file, text, { mode: 0o600 });
}

/** Stores file references relative to the file they are written to (RelativizeClusterLocalPaths). */
function relativize(kind: StanzaChange['kind'], value: Json, file: string): Json {
  const out = { ...value };
  for (const k of PATH_KEYS[kind]) {
    const v = out[k];
    if (typeof v === 'string' && v !== '' && isAbsolute(v)) out[k] = relative(dirname(file), v) || '.';
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

export function modifyConfig(rules: LoadingRules, raw: RawConfig, change: ConfigChange): void {
  if (change.currentContext !== undefined && change.currentContext !== raw.currentContext) {
    let target: string | undefined;
    if (rules.explicitPath) target = rules.explicitPath;
    else {
      target = precedence(rules).find((f) => {
        if (!existsSync(f)) return false;
        const cc = readDoc(f)['current-context'];
        return typeof cc === 'string' && cc !== '';
      });
      target ??= defaultFilename(rules);
    }
    const doc = readDoc(target);
    doc['current-context'] = change.currentContext;
    writeDoc(target, doc);
  }
  for (const s of change.stanzas) {
    const existing = (raw[s.kind] as Map<string, { value: unknown; origin: string }>).get(s.name);
    if (existing && same(existing.value, s.value)) continue;
    const file = existing?.origin ?? defaultFilename(rules);
    const doc = readDoc(file);
    const inner = INNER[s.kind];
    const list = Array.isArray(doc[s.kind]) ? (doc[s.kind] as Json[]) : [];
    const entry = { name: s.name, [inner]: relativize(s.kind, s.value, file) };
    const at = list.findIndex((e) => e && e.name === s.name);
    if (at >= 0) list[at] = entry;
    else list.push(entry);
    doc[s.kind] = list;
    writeDoc(file, doc);
  }
}
