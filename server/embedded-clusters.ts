// The embedded provider: one simulated cluster per workspace, all in this
// process, served by ONE HTTPS listener (the bearer token picks the cluster),
// each with its own external data-plane proxy. Clusters are snapshotted into
// sqlite every few seconds when something changed and on shutdown, and
// restored on start, so a restart (even kill -9) keeps every cluster, every
// running VM and every token handed out.

import { randomBytes } from 'node:crypto';
import { RealClock, type Clock } from '../sandbox/sim/clock.ts';
import type { Cluster } from '../sandbox/sim/cluster.ts';
import { CLUSTER_ADMIN_GROUPS, SimHost } from '../sandbox/sim/host.ts';
import type { ApiListener } from '../sandbox/sim/api/http/listen.ts';
import { kubeconfigYaml } from '../sandbox/sim/kubeconfig.ts';
import { startExternalProxy, type ExternalProxy } from '../sandbox/sim/dataplane/external-proxy.ts';
import { connectInProcess } from '../graders/sdk/connection.ts';
import type { ClusterConnection } from '../graders/sdk/types.ts';
import type { LabSpec } from '../cli/lab/schema.ts';
import { LEASES } from '../sandbox/sim/controllers/kubelet/node-status.ts';
import { nodeHeartbeatOnly } from '../sandbox/sim/runtime/heartbeats.ts';
import { listenApiEndpoint } from './api-endpoint.ts';
import { loadClusterSnapshot, saveClusterSnapshot } from './cluster-snapshots.ts';
import type { ClusterAccess, ClusterObjects, ClusterProvider, TopologyResource } from './clusters.ts';
import type { Database } from './db.ts';
import type { Workspace, Workspaces } from './workspaces.ts';

/** What the provider keeps in workspaces.state. */
interface EmbeddedState {
  clusterName: string;
  /** The student's token (shells' kubeconfig): cluster admin of this cluster only. */
  studentToken: string;
  /** The token lab runs and graders use. */
  graderToken: string;
  /** Set once the cluster exists. */
  timeScale?: number;
  workers?: number;
  controlPlanes?: number;
  proxyPort?: number;
}

export interface EmbeddedProviderOptions {
  db: Database;
  workspaces: Workspaces;
  /** Address of the cluster API listener and the proxies (default 127.0.0.1). */
  address?: string;
  /** Port of the cluster API listener (default: the last run's, else a free one). */
  apiPort?: number;
  /** The clock of a new cluster for a time scale (default RealClock; tests pass a ManualClock). */
  clockFor?: (timeScale: number) => Clock;
  /** Overrides every lab's suggested time scale. */
  timeScale?: number;
  /** Worker and control-plane nodes of a new cluster (at least what the lab needs). */
  topology?: { workers: number; controlPlanes: number };
  /** Seconds between snapshots of changed clusters (default 3). */
  snapshotSeconds?: number;
  log?: (line: string) => void;
}

const RESOURCES: Record<TopologyResource, string> = {
  nodes: 'nodes',
  pods: 'pods',
  services: 'services',
  routes: 'route.openshift.io/routes',
  virtualmachines: 'kubevirt.io/virtualmachines',
  virtualmachineinstances: 'kubevirt.io/virtualmachineinstances',
};
const WATCHED = new Set(Object.values(RESOURCES));

function newToken(): string {
  return `sha256~${randomBytes(24).toString('base64url')}`;
}

function stateOf(ws: Workspace): EmbeddedState | undefined {
  const s = ws.state as Partial<EmbeddedState>;
  return typeof s.clusterName === 'string' && typeof s.studentToken === 'string' && typeof s.graderToken === 'string' ? s as EmbeddedState : undefined;
}

interface Running {
  cluster: Cluster;
  proxy: ExternalProxy;
  stops: (() => void)[];
  connection?: Promise<ClusterConnection>;
}

export class EmbeddedClusterProvider implements ClusterProvider {
  readonly kind = 'embedded';
  readonly host = new SimHost();
  private api?: ApiListener;
  private readonly running = new Map<string, Running>();
  private readonly creating = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(private readonly opts: EmbeddedProviderOptions) {
    this.log = opts.log ?? (() => {});
  }

  /** Opens the cluster API listener; call before anything else. */
  async listen(): Promise<ApiListener> {
    this.api = await listenApiEndpoint(this.opts.db, this.host, { address: this.address, port: this.opts.apiPort, log: this.log });
    const every = (this.opts.snapshotSeconds ?? 3) * 1000;
    this.timer = setInterval(() => { void this.persistDirty(); }, every);
    this.timer.unref();
    return this.api;
  }

  private get address(): string {
    return this.opts.address ?? '127.0.0.1';
  }

  private listener(): ApiListener {
    if (!this.api) throw new Error('the embedded cluster API is not listening yet (call listen() first)');
    return this.api;
  }

  async restore(workspaces: Workspace[]): Promise<void> {
    for (const ws of workspaces) {
      const state = stateOf(ws);
      if (!state || state.timeScale === undefined) continue;
      const snap = await loadClusterSnapshot(this.opts.db, ws.id);
      let cluster: Cluster;
      if (snap) {
        cluster = await this.host.restoreCluster({ name: state.clusterName, clock: this.clockFor(state.timeScale), log: this.clusterLog(ws) }, snap);
      } else {
        // Killed before its first snapshot: it comes back new, with the same tokens.
        cluster = await this.createCluster(ws, state);
      }
      await this.run(ws, state, cluster);
      this.log(`restored cluster of ${ws.username} (${cluster.store.count('kubevirt.io/virtualmachines')} VMs)`);
    }
  }

  private clockFor(timeScale: number): Clock {
    return this.opts.clockFor ? this.opts.clockFor(timeScale) : new RealClock(timeScale);
  }

  private clusterLog(ws: Workspace): (line: string) => void {
    return (line) => this.log(`[${ws.username}] ${line}`);
  }

  /** The workspace's tokens, minted on first use so shells can get a kubeconfig before the cluster exists. */
  private async tokens(ws: Workspace): Promise<EmbeddedState> {
    const found = stateOf(ws);
    if (found) return found;
    const state: EmbeddedState = { clusterName: ws.id, studentToken: newToken(), graderToken: newToken() };
    await this.opts.workspaces.saveState(ws, { ...state });
    return state;
  }

  private async createCluster(ws: Workspace, state: EmbeddedState): Promise<Cluster> {
    const cluster = await this.host.createCluster({
      name: state.clusterName,
      clock: this.clockFor(state.timeScale ?? 1),
      topology: { workers: state.workers ?? 3, controlPlanes: state.controlPlanes ?? 3 },
      log: this.clusterLog(ws),
    });
    // The student is the cluster's administrator (the labs create MetalLB pools and MachineHealthChecks), of this cluster only.
    this.host.registerToken(cluster, state.studentToken, { username: ws.username, uid: randomBytes(16).toString('hex'), groups: CLUSTER_ADMIN_GROUPS });
    this.host.registerToken(cluster, state.graderToken, { username: 'system:virtlab:grader', uid: randomBytes(16).toString('hex'), groups: CLUSTER_ADMIN_GROUPS });
    return cluster;
  }

  /** Starts the cluster's proxy and change tracking. */
  private async run(ws: Workspace, state: EmbeddedState, cluster: Cluster): Promise<void> {
    let proxy: ExternalProxy;
    try {
      proxy = await startExternalProxy(cluster, { port: state.proxyPort ?? 0, host: this.address });
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
      proxy = await startExternalProxy(cluster, { port: 0, host: this.address });
    }
    const proxyPort = Number(new URL(proxy.url).port);
    if (proxyPort !== state.proxyPort) await this.opts.workspaces.saveState(ws, { ...state, proxyPort });
    const mark = (): void => { this.dirty.add(ws.id); };
    // Heartbeats alone (Leases, heartbeat-only Node updates) need no snapshot: a restore stamps every live node's heartbeats anyway.
    const stops = [cluster.store.watchAll((ev) => { if (ev.resource !== LEASES && !nodeHeartbeatOnly(ev)) mark(); }), cluster.guests.onChange(mark)];
    this.running.set(ws.id, { cluster, proxy, stops });
  }

  ensure(ws: Workspace, lab?: LabSpec): Promise<void> {
    if (this.running.has(ws.id)) return Promise.resolve();
    let p = this.creating.get(ws.id);
    if (!p) {
      p = (async () => {
        const base = await this.tokens(ws);
        const topology = this.opts.topology ?? { workers: 3, controlPlanes: 3 };
        const state: EmbeddedState = {
          ...base,
          timeScale: this.opts.timeScale ?? lab?.cluster.timeScale ?? 1,
          workers: Math.max(topology.workers, lab?.cluster.workers ?? 0),
          controlPlanes: topology.controlPlanes,
        };
        const cluster = await this.createCluster(ws, state);
        await cluster.settle();
        await this.opts.workspaces.saveState(ws, { ...state });
        await this.run(ws, state, cluster);
        await this.persist(ws);
        this.log(`created cluster ${state.clusterName} for ${ws.username} (${state.workers} workers, time scale ${state.timeScale})`);
      })().finally(() => this.creating.delete(ws.id));
      this.creating.set(ws.id, p);
    }
    return p;
  }

  exists(ws: Workspace): boolean {
    return this.running.has(ws.id);
  }

  /** The embedded Cluster of a workspace (tests, the instructor's tools). */
  clusterOf(ws: Workspace): Cluster | undefined {
    return this.running.get(ws.id)?.cluster;
  }

  async accessFor(ws: Workspace): Promise<ClusterAccess> {
    const state = await this.tokens(ws);
    const api = this.listener();
    const proxy = this.proxyFor(ws);
    return { server: api.url, token: state.studentToken, caPem: api.caPem, namespace: 'default', ...(proxy ? { proxy } : {}) };
  }

  async kubeconfigFor(ws: Workspace): Promise<string> {
    const access = await this.accessFor(ws);
    const timeScale = stateOf(ws)?.timeScale;
    return kubeconfigYaml({
      server: access.server, token: access.token, caPem: access.caPem, userName: ws.username,
      embedded: { ...(access.proxy ? { externalProxy: access.proxy } : {}), ...(timeScale ? { timeScale } : {}) },
    });
  }

  connectionFor(ws: Workspace): Promise<ClusterConnection> {
    const r = this.running.get(ws.id);
    const state = stateOf(ws);
    if (!r || !state) return Promise.reject(new Error(`${ws.username} has no cluster yet: start a lab first`));
    r.connection ??= connectInProcess({
      cluster: r.cluster, server: this.listener().url, token: state.graderToken, caPem: this.listener().caPem, externalProxy: r.proxy.url,
    });
    return r.connection;
  }

  proxyFor(ws: Workspace): string | undefined {
    return this.running.get(ws.id)?.proxy.url;
  }

  objectsOf(ws: Workspace): ClusterObjects | undefined {
    const r = this.running.get(ws.id);
    if (!r) return undefined;
    const store = r.cluster.store;
    return {
      list: async (resource) => store.list(RESOURCES[resource]),
      watch: (changed) => store.watchAll((ev) => { if (WATCHED.has(ev.resource)) changed(); }),
    };
  }

  /** Snapshots one workspace's cluster now, or every cluster. */
  persist(ws?: Workspace): Promise<void> {
    return this.save(ws ? [ws.id] : [...this.running.keys()]);
  }

  /** Saves run one at a time, in order: a later snapshot never lands under an earlier one. */
  private save(ids: string[]): Promise<void> {
    const next = this.saving.then(async () => {
      for (const id of ids) {
        const r = this.running.get(id);
        if (!r) continue;
        this.dirty.delete(id);
        try {
          await saveClusterSnapshot(this.opts.db, id, r.cluster.snapshot());
        } catch (e) {
          this.dirty.add(id);
          this.log(`cannot save the snapshot of cluster ${id}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    });
    this.saving = next.catch(() => {});
    return next;
  }

  private persistDirty(): Promise<void> {
    return this.dirty.size ? this.save([...this.dirty]) : Promise.resolve();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.persist();
    for (const r of this.running.values()) {
      for (const s of r.stops) s();
      await r.proxy.close();
    }
    this.running.clear();
    await this.api?.close();
    this.host.stop();
  }
}
