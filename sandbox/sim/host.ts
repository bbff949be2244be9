// One process, many clusters: the host owns every embedded cluster, maps
// bearer tokens to (cluster, user), and shares the documents that are the same
// for every cluster (discovery, OpenAPI, CRDs).

import { Cluster, clusterRegistry, type ClusterOptions, type UserInfo } from './cluster.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import { DiscoveryDocuments } from './api/discovery.ts';
import { OpenApiDocuments } from './api/openapi.ts';
import { definitions } from './kinds/index.ts';
import type { KindRegistry } from './kinds/registry.ts';

export interface Principal {
  cluster: Cluster;
  user: UserInfo;
  token: string;
}

/** Groups of an administrator of one embedded cluster (OpenShift's kubeadmin). */
export const CLUSTER_ADMIN_GROUPS = ['system:cluster-admins', 'system:authenticated'];

/** Subresource-only API groups served next to the kinds (KubeVirt's virt-api). */
export const EXTRA_GROUPS = [{
  group: 'subresources.kubevirt.io',
  version: 'v1',
  resources: [
    ...['start', 'stop', 'restart', 'migrate', 'expand-spec', 'portforward', 'memorydump', 'addvolume', 'removevolume'].map((s) => ({ name: `virtualmachines/${s}`, namespaced: true, kind: '', verbs: s === 'expand-spec' ? ['get'] : ['update'] })),
    ...['console', 'vnc', 'portforward', 'guestosinfo', 'userlist', 'filesystemlist'].map((s) => ({ name: `virtualmachineinstances/${s}`, namespaced: true, kind: '', verbs: ['get'] })),
    ...['pause', 'unpause', 'freeze', 'unfreeze', 'softreboot', 'reset', 'addvolume', 'removevolume'].map((s) => ({ name: `virtualmachineinstances/${s}`, namespaced: true, kind: '', verbs: ['update'] })),
  ],
}];

export class SimHost {
  readonly clusters = new Map<string, Cluster>();
  private readonly tokens = new Map<string, { cluster: Cluster; user: UserInfo }>();
  readonly registry: KindRegistry;
  readonly discovery: DiscoveryDocuments;
  readonly openapi: OpenApiDocuments;
  readonly startedAt = Date.now();

  constructor() {
    this.registry = clusterRegistry();
    this.discovery = new DiscoveryDocuments(this.registry, EXTRA_GROUPS);
    this.openapi = new OpenApiDocuments(this.registry, definitions);
  }

  async createCluster(opts: ClusterOptions): Promise<Cluster> {
    if (this.clusters.has(opts.name)) throw new Error(`cluster ${opts.name} already exists`);
    const cluster = await Cluster.create(opts);
    this.clusters.set(opts.name, cluster);
    return cluster;
  }

  /** Brings a cluster back from a snapshot; the tokens it had authenticate again. */
  async restoreCluster(opts: Omit<ClusterOptions, 'topology'>, snap: ClusterSnapshot): Promise<Cluster> {
    if (this.clusters.has(opts.name)) throw new Error(`cluster ${opts.name} already exists`);
    const cluster = await Cluster.restore(opts, snap);
    this.clusters.set(opts.name, cluster);
    for (const [token, user] of cluster.tokens) this.tokens.set(token, { cluster, user });
    return cluster;
  }

  /** Issues a bearer token for a user of a cluster. */
  issueToken(cluster: Cluster, username: string, groups: string[] = CLUSTER_ADMIN_GROUPS): string {
    const token = cluster.addUser(username, groups);
    this.tokens.set(token, { cluster, user: cluster.tokens.get(token)! });
    return token;
  }

  /** Accepts a token minted inside a cluster (TokenRequest) for that cluster. */
  registerToken(cluster: Cluster, token: string, user: UserInfo): void {
    cluster.tokens.set(token, user);
    this.tokens.set(token, { cluster, user });
  }

  authenticate(authorization: string | undefined): Principal | undefined {
    if (!authorization) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return undefined;
    const found = this.tokens.get(m[1]);
    return found ? { ...found, token: m[1] } : undefined;
  }

  deleteCluster(name: string): void {
    const c = this.clusters.get(name);
    if (!c) return;
    c.stop();
    this.clusters.delete(name);
    for (const [t, p] of this.tokens) if (p.cluster === c) this.tokens.delete(t);
  }

  stop(): void {
    for (const name of [...this.clusters.keys()]) this.deleteCluster(name);
  }
}
