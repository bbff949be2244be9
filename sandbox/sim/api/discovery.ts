// Discovery documents: aggregated discovery (apidiscovery.k8s.io v2 and
// v2beta1) for /api and /apis, and the legacy documents (APIVersions,
// APIGroupList, APIGroup, APIResourceList). Pure builders: every document is
// computed once per registry, serialized once and served from the cache.

import { createHash } from 'node:crypto';
import type { KindRegistry } from '../kinds/registry.ts';
import type { KindDef } from '../kinds/types.ts';

export type AggregatedVersion = 'v2' | 'v2beta1';

/** A serialized document ready to send. */
export interface DiscoveryDoc {
  body: string;
  /** Quoted strong validator, e.g. `"3f1c…"`. */
  etag: string;
  contentType: string;
}

/** A resource (usually a subresource such as `virtualmachines/start`) of a group-version that has no kinds in the registry. */
export interface ExtraResource {
  /** `virtualmachines/start`, or a plain resource name. */
  name: string;
  namespaced: boolean;
  /** Kind of the request/response body; may be "". */
  kind: string;
  verbs: string[];
  /** Group and version of `kind` when they differ from the group-version serving the resource. */
  group?: string;
  version?: string;
  singularName?: string;
}

export interface ExtraGroupVersion {
  group: string;
  version: string;
  resources: ExtraResource[];
}

export const DEFAULT_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];
const SCALE_VERBS = ['get', 'patch', 'update'];
const DISCOVERY_GROUP = 'apidiscovery.k8s.io';
const AGG_KIND = 'APIGroupDiscoveryList';

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=${DISCOVERY_GROUP};v=${version};as=${AGG_KIND}`;
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex')}"`;
}

function doc(value: unknown, contentType = 'application/json'): DiscoveryDoc {
  const body = JSON.stringify(value);
  return { body, etag: etagOf(body), contentType };
}

// ---------------------------------------------------------------------------
// Version ordering (apimachinery's "kube-aware" comparison): GA before beta
// before alpha, higher numbers first, anything else last in lexical order.

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function versionRank(v: string): [number, number, number] | null {
  const m = KUBE_VERSION.exec(v);
  if (!m) return null;
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
}

/** Negative when `a` is preferred over (comes before) `b`. */
export function compareKubeVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  if (ra && rb) {
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return 0;
  }
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortVersionsNewestFirst(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareKubeVersions);
}

/** apimachinery's storage version hash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

// ---------------------------------------------------------------------------
// Accept negotiation

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  index: number;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(',').forEach((part, index) => {
    const pieces = part.split(';').map((p) => p.trim());
    const type = (pieces.shift() ?? '').toLowerCase();
    if (!type) return;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of pieces) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      let value = p.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? n : 0;
      } else {
        params.set(key, value);
      }
    }
    out.push({ type, params, q, index });
  });
  return out.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * Which aggregated discovery version to answer with for an Accept header, or
 * null to answer with the legacy document (plain JSON, or nothing aggregated offered).
 */
export function chooseAggregated(accept: string | undefined): AggregatedVersion | null {
  if (!accept) return null;
  for (const r of parseAccept(accept)) {
    const jsonLike = r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*';
    if (!jsonLike) continue;
    const g = r.params.get('g');
    const as = r.params.get('as');
    const v = r.params.get('v');
    if (g === undefined && as === undefined && v === undefined) return null; // plain JSON: legacy
    if (r.type === 'application/json' && g === DISCOVERY_GROUP && as === AGG_KIND && (v === 'v2' || v === 'v2beta1')) return v;
    // Some other typed form (a Table, an unknown discovery version): not acceptable, try the next one.
  }
  return null;
}

// ---------------------------------------------------------------------------
// The resource model both document families are built from.

interface GVK {
  group: string;
  version: string;
  kind: string;
}

interface SubresourceInfo {
  name: string;
  responseKind: GVK;
  verbs: string[];
}

interface ResourceInfo {
  resource: string;
  /** undefined for a placeholder parent of subresource-only entries. */
  responseKind?: GVK;
  namespaced: boolean;
  singular: string;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  /** Only for resources backed by a KindDef. */
  storageVersionHash?: string;
}

interface GroupVersionInfo {
  group: string;
  version: string;
  resources: ResourceInfo[];
}

function byName<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

function resourceFromKind(k: KindDef): ResourceInfo {
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  const subs: SubresourceInfo[] = [];
  const add = (s: SubresourceInfo): void => {
    if (!subs.some((x) => x.name === s.name)) subs.push(s);
  };
  if (k.subresources?.status) add({ name: 'status', responseKind: gvk, verbs: [...STATUS_VERBS] });
  if (k.subresources?.scale) add({ name: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: [...SCALE_VERBS] });
  for (const e of k.extraSubresources ?? []) add({ name: e.name, responseKind: { ...e.kind }, verbs: [...e.verbs] });
  subs.sort(byName((s) => s.name));
  return {
    resource: k.plural,
    responseKind: gvk,
    namespaced: k.namespaced,
    singular: k.singular,
    verbs: [...(k.verbs ?? DEFAULT_VERBS)],
    shortNames: [...(k.shortNames ?? [])],
    categories: [...(k.categories ?? [])],
    subresources: subs,
    storageVersionHash: storageVersionHash(k.group, k.version, k.kind),
  };
}

function addExtraResources(gv: GroupVersionInfo, extras: ExtraResource[]): void {
  for (const r of extras) {
    const slash = r.name.indexOf('/');
    // As kube-aggregator converts legacy lists: no kind, an all-empty responseKind.
    const kind = r.kind ? { group: r.group ?? gv.group, version: r.version ?? gv.version, kind: r.kind } : { group: '', version: '', kind: '' };
    if (slash < 0) {
      if (gv.resources.some((x) => x.resource === r.name)) throw new Error(`discovery: resource ${r.name} in ${gv.group}/${gv.version} listed twice`);
      gv.resources.push({
        resource: r.name, responseKind: kind, namespaced: r.namespaced, singular: r.singularName ?? '',
        verbs: [...r.verbs], shortNames: [], categories: [], subresources: [],
      });
      continue;
    }
    const parentName = r.name.slice(0, slash);
    const subName = r.name.slice(slash + 1);
    let parent = gv.resources.find((x) => x.resource === parentName);
    if (!parent) {
      // Subresource-only group-versions (subresources.kubevirt.io): the parent
      // exists only as a holder, the way kube-aggregator converts such lists.
      parent = { resource: parentName, namespaced: r.namespaced, singular: '', verbs: [], shortNames: [], categories: [], subresources: [] };
      gv.resources.push(parent);
    }
    if (!parent.subresources.some((s) => s.name === subName)) parent.subresources.push({ name: subName, responseKind: kind, verbs: [...r.verbs] });
    parent.subresources.sort(byName((s) => s.name));
  }
}

// ---------------------------------------------------------------------------

export class DiscoveryDocuments {
  /** group → versions newest first; the core group "" included. Registration order of groups. */
  private readonly groupVersions = new Map<string, GroupVersionInfo[]>();
  private readonly aggCache = new Map<string, DiscoveryDoc>();
  private readonly apiVersionsCache = new Map<string, DiscoveryDoc>();
  private readonly groupCache = new Map<string, DiscoveryDoc | undefined>();
  private readonly resourceListCache = new Map<string, DiscoveryDoc | undefined>();
  private groupListDoc?: DiscoveryDoc;

  constructor(registry: KindRegistry, extraGroups: ExtraGroupVersion[] = []) {
    const gvs = new Map<string, GroupVersionInfo>();
    const order: string[] = [];
    const gvOf = (group: string, version: string): GroupVersionInfo => {
      const key = `${group}/${version}`;
      let gv = gvs.get(key);
      if (!gv) {
        gv = { group, version, resources: [] };
        gvs.set(key, gv);
        if (!order.includes(group)) order.push(group);
      }
      return gv;
    };
    for (const k of registry.kinds) gvOf(k.group, k.version).resources.push(resourceFromKind(k));
    for (const extra of extraGroups) addExtraResources(gvOf(extra.group, extra.version), extra.resources);
    for (const gv of gvs.values()) gv.resources.sort(byName((r) => r.resource));
    for (const group of order) {
      const list = [...gvs.values()].filter((gv) => gv.group === group).sort((a, b) => compareKubeVersions(a.version, b.version));
      this.groupVersions.set(group, list);
    }
  }

  /** Whether a group-version is served (for routing 404s). */
  hasGroupVersion(group: string, version: string): boolean {
    return this.groupVersions.get(group)?.some((gv) => gv.version === version) ?? false;
  }

  /** Non-core groups, in registration order. */
  groups(): string[] {
    return [...this.groupVersions.keys()].filter((g) => g !== '');
  }

  // --- aggregated --------------------------------------------------------

  /** `/api` ('core') or `/apis` ('apis') as an APIGroupDiscoveryList. */
  aggregated(kind: 'core' | 'apis', version: AggregatedVersion): DiscoveryDoc {
    const key = `${kind}/${version}`;
    let d = this.aggCache.get(key);
    if (!d) {
      const groups = kind === 'core' ? (this.groupVersions.has('') ? [''] : []) : this.groups();
      d = doc({
        kind: AGG_KIND,
        apiVersion: `${DISCOVERY_GROUP}/${version}`,
        metadata: {},
        items: groups.map((g) => this.aggregatedGroup(g)),
      }, aggregatedContentType(version));
      this.aggCache.set(key, d);
    }
    return d;
  }

  private aggregatedGroup(group: string): Record<string, unknown> {
    return {
      metadata: { name: group, creationTimestamp: null },
      versions: (this.groupVersions.get(group) ?? []).map((gv) => ({
        version: gv.version,
        resources: gv.resources.map((r) => {
          const out: Record<string, unknown> = {
            resource: r.resource,
            // Never absent: clients drop (or, in old client-go, crash on) resources without one.
            responseKind: r.responseKind ? { ...r.responseKind } : { group: '', version: '', kind: '' },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
          };
          if (r.singular) out.singularResource = r.singular;
          if (r.verbs.length) out.verbs = [...r.verbs];
          if (r.shortNames.length) out.shortNames = [...r.shortNames];
          if (r.categories.length) out.categories = [...r.categories];
          if (r.subresources.length) {
            out.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: { ...s.responseKind }, verbs: [...s.verbs] }));
          }
          return out;
        }),
        freshness: 'Current',
      })),
    };
  }

  /** Picks the aggregated version for an Accept header; null means "serve the legacy document". */
  chooseAggregated(accept: string | undefined): AggregatedVersion | null {
    return chooseAggregated(accept);
  }

  // --- legacy ------------------------------------------------------------

  /** `/api` as APIVersions. `serverAddress` is host:port as clients reach the server. */
  apiVersions(serverAddress: string): DiscoveryDoc {
    let d = this.apiVersionsCache.get(serverAddress);
    if (!d) {
      const versions = (this.groupVersions.get('') ?? []).map((gv) => gv.version);
      d = doc({
        kind: 'APIVersions',
        versions: versions.length ? versions : ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      });
      this.apiVersionsCache.set(serverAddress, d);
    }
    return d;
  }

  private groupObject(group: string): Record<string, unknown> | undefined {
    const gvs = this.groupVersions.get(group);
    if (!gvs?.length) return undefined;
    const versions = gvs.map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
    return { name: group, versions, preferredVersion: { ...versions[0] } };
  }

  /** `/apis` as APIGroupList. */
  apiGroupList(): DiscoveryDoc {
    this.groupListDoc ??= doc({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups().map((g) => this.groupObject(g)),
    });
    return this.groupListDoc;
  }

  /** `/apis/<group>` as APIGroup; undefined for unknown (and the core) group. */
  apiGroup(group: string): DiscoveryDoc | undefined {
    if (!this.groupCache.has(group)) {
      const g = group === '' ? undefined : this.groupObject(group);
      this.groupCache.set(group, g ? doc({ kind: 'APIGroup', apiVersion: 'v1', ...g }) : undefined);
    }
    return this.groupCache.get(group);
  }

  /** `/api/v1` (group "") or `/apis/<group>/<version>` as APIResourceList; undefined if not served. */
  apiResourceList(group: string, version: string): DiscoveryDoc | undefined {
    const key = `${group}/${version}`;
    if (!this.resourceListCache.has(key)) {
      const gv = this.groupVersions.get(group)?.find((x) => x.version === version);
      this.resourceListCache.set(key, gv ? doc(this.resourceListObject(gv)) : undefined);
    }
    return this.resourceListCache.get(key);
  }

  private resourceListObject(gv: GroupVersionInfo): Record<string, unknown> {
    const resources: Record<string, unknown>[] = [];
    const withGroupVersion = (entry: Record<string, unknown>, k: GVK): Record<string, unknown> => {
      if (k.kind && (k.group !== gv.group || k.version !== gv.version)) {
        entry.group = k.group;
        entry.version = k.version;
      }
      return entry;
    };
    for (const r of gv.resources) {
      if (r.responseKind) {
        const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced };
        withGroupVersion(entry, r.responseKind);
        entry.kind = r.responseKind.kind;
        entry.verbs = [...r.verbs];
        if (r.shortNames.length) entry.shortNames = [...r.shortNames];
        if (r.categories.length) entry.categories = [...r.categories];
        if (r.storageVersionHash) entry.storageVersionHash = r.storageVersionHash;
        resources.push(entry);
      }
      for (const s of r.subresources) {
        const entry: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
        withGroupVersion(entry, s.responseKind);
        entry.kind = s.responseKind.kind;
        entry.verbs = [...s.verbs];
        resources.push(entry);
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv.group ? `${gv.group}/${gv.version}` : gv.version,
      resources,
    };
  }
}
