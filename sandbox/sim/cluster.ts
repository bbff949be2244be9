// One embedded cluster: its store, its API pipeline, its controllers and its
// topology. The only place that wires controllers together.

import { randomBytes } from 'node:crypto';
import { ManualClock, type Clock } from './clock.ts';
import { ObjectStore } from './store/object-store.ts';
import { RestStorage } from './api/rest-storage.ts';
import type { AdmissionPlugin } from './api/admission.ts';
import type { KubeObject } from './api/object.ts';
import { KindRegistry } from './kinds/registry.ts';
import { ControllerRunner } from './runtime/controller.ts';
import { ClusterClient } from './runtime/client.ts';
import { EventRecorder, type EventSource } from './runtime/events.ts';
import { ContainerLogs } from './runtime/container-logs.ts';
import { GuestRuntime } from './guest/runtime.ts';
import { clusterGuestNetwork } from './dataplane/guest-network.ts';
import type { ControllerDeps } from './controllers/types.ts';
import { controllerFactories } from './controllers/index.ts';
import { bootstrapObjects, type Topology } from './topology.ts';
import { CLUSTER_SNAPSHOT_VERSION, resumeNodeHeartbeats, type ClusterSnapshot } from './cluster-snapshot.ts';
import { allKinds, definitions } from './kinds/index.ts';
import { kubevirtEvictionPlugin } from './admission/kubevirt-eviction.ts';
import { kubevirtMigrationPlugin } from './admission/kubevirt-migration.ts';
import { serviceAllocationPlugin } from './admission/service-allocation.ts';
import { routeHostPlugin } from './admission/route-host.ts';
import { jsonClone } from './api/json-clone.ts';

export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
}

export interface ClusterOptions {
  name: string;
  clock: Clock;
  topology?: Partial<Topology>;
  /** Write controller errors somewhere (default: nowhere). */
  log?: (line: string) => void;
  admissionPlugins?: AdmissionPlugin[];
}

let sharedRegistry: KindRegistry | undefined;

/** The kinds every cluster serves; built once per process and shared, read-only. */
export function clusterRegistry(): KindRegistry {
  sharedRegistry ??= new KindRegistry(allKinds);
  return sharedRegistry;
}

export class Cluster {
  readonly name: string;
  readonly clock: Clock;
  readonly store: ObjectStore;
  readonly registry: KindRegistry;
  readonly storage: RestStorage;
  readonly logs = new ContainerLogs();
  readonly runner: ControllerRunner;
  /** What runs inside VMI domains; on the cluster clock. */
  readonly guests: GuestRuntime;
  readonly topology: Topology;
  /** Bearer tokens of this cluster's users. */
  readonly tokens = new Map<string, UserInfo>();
  readonly createdAt: number;

  private constructor(opts: ClusterOptions) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.createdAt = opts.clock.now();
    this.store = new ObjectStore();
    this.registry = clusterRegistry();
    this.storage = new RestStorage(this.store, this.registry, definitions, this.clock, opts.admissionPlugins ?? this.defaultAdmissionPlugins());
    this.runner = new ControllerRunner(this.store, this.clock, opts.log);
    this.guests = new GuestRuntime(this.clock, { network: clusterGuestNetwork(this) });
    this.topology = { workers: 3, controlPlanes: 3, ...opts.topology };
  }

  static async create(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts);
    await c.bootstrap();
    c.startControllers();
    return c;
  }

  /**
   * A cluster brought back from a snapshot: objects, user tokens and guests
   * are loaded first, the node agents report in (see resumeNodeHeartbeats),
   * then the controllers start and find everything in place, as controllers
   * do after a control-plane restart. Running VMIs keep running.
   */
  static async restore(opts: Omit<ClusterOptions, 'topology'>, snap: ClusterSnapshot): Promise<Cluster> {
    if (snap.version !== CLUSTER_SNAPSHOT_VERSION) throw new Error(`cluster snapshot version ${String(snap.version)} is not supported (expected ${CLUSTER_SNAPSHOT_VERSION})`);
    const c = new Cluster({ ...opts, topology: snap.topology });
    c.store.restore(snap.store);
    for (const [token, user] of snap.tokens) c.tokens.set(token, { ...user, groups: [...user.groups] });
    c.guests.restore(snap.guests);
    resumeNodeHeartbeats(c.store, c.clock.now());
    c.startControllers();
    return c;
  }

  /** Everything restore() needs, as plain data (JSON-safe). */
  snapshot(): ClusterSnapshot {
    return {
      version: CLUSTER_SNAPSHOT_VERSION,
      name: this.name,
      topology: { ...this.topology },
      takenAt: this.clock.now(),
      store: this.store.snapshot(),
      tokens: [...this.tokens].map(([t, u]) => [t, { ...u, groups: [...u.groups] }]),
      guests: this.guests.snapshot(),
    };
  }

  private async bootstrap(): Promise<void> {
    const client = this.client('system:apiserver', 'kube-apiserver');
    for (const obj of bootstrapObjects(this.topology, this.clock.now())) {
      const kind = this.registry.kind(...splitGvk(obj));
      if (!kind) throw new Error(`bootstrap object of unknown kind ${obj.apiVersion} ${obj.kind}`);
      await client.create(this.registry.storeKey(kind), obj);
      if (obj.status !== undefined && kind.subresources?.status) {
        const stored = client.get(this.registry.storeKey(kind), obj.metadata.namespace, obj.metadata.name!)!;
        await client.updateStatus(this.registry.storeKey(kind), { ...jsonClone(stored), status: obj.status });
      }
    }
  }

  private startControllers(): void {
    for (const f of controllerFactories) {
      const user = `system:serviceaccount:${f.serviceAccount.namespace}:${f.serviceAccount.name}`;
      const deps: ControllerDeps = {
        client: this.client(user, f.serviceAccount.name),
        clock: this.clock,
        registry: this.registry,
        recorder: (source: EventSource) => new EventRecorder(this.client(user, f.serviceAccount.name), this.clock, source),
        logs: this.logs,
        guests: this.guests,
      };
      this.runner.add(f.create(deps));
    }
    this.runner.start();
  }

  /** The cluster-level admission plugins (KubeVirt's webhooks that read or write other objects). */
  private defaultAdmissionPlugins(): AdmissionPlugin[] {
    // virt-api marks VMIs for evacuation as its own service account.
    const virtApi = (): ClusterClient => this.client('system:serviceaccount:openshift-cnv:kubevirt-apiserver', 'virt-api');
    return [
      kubevirtEvictionPlugin(async (vmi) => { await virtApi().update('kubevirt.io/virtualmachineinstances', vmi); }),
      kubevirtMigrationPlugin(),
      serviceAllocationPlugin(),
      routeHostPlugin(),
    ];
  }

  /** An in-process client acting as `user`, writing with `fieldManager`. */
  client(user: string, fieldManager: string): ClusterClient {
    return new ClusterClient(this.storage, user, fieldManager);
  }

  /** Creates a user with a fresh bearer token; returns the token. */
  addUser(username: string, groups: string[] = ['system:authenticated']): string {
    const token = `sha256~${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { username, uid: randomBytes(16).toString('hex'), groups });
    return token;
  }

  /** Waits until every controller queue is drained. */
  settle(): Promise<void> {
    return this.runner.settle();
  }

  /**
   * Moves a manual clock forward, stopping at each due timer so every
   * controller reaction settles before time moves on (tests and benchmarks).
   */
  async advance(seconds: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) throw new Error(`cluster ${this.name} runs on a real clock; only a manual clock can be advanced`);
    const target = clock.now() + seconds * 1000;
    for (;;) {
      await this.settle();
      const next = clock.nextDue();
      if (next === undefined || next > target) break;
      clock.advance((next - clock.now()) / 1000);
    }
    clock.advance((target - clock.now()) / 1000);
    await this.settle();
  }

  stop(): void {
    this.runner.stop();
  }
}

function splitGvk(obj: KubeObject): [string, string, string] {
  const i = obj.apiVersion.indexOf('/');
  return i < 0 ? ['', obj.apiVersion, obj.kind] : [obj.apiVersion.slice(0, i), obj.apiVersion.slice(i + 1), obj.kind];
}
