// The real-cluster provider (`lab serve --cluster kubeconfig:PATH`): one
// namespace per workspace on a cluster the server administers, with a
// ServiceAccount `student`, a Role for what the labs touch there, RoleBindings
// to KubeVirt's kubevirt.io:admin and the separate kubevirt.io:migrate
// (KubeVirt ≥ 1.5 moved migrations out of admin/edit), and a TokenRequest
// token in a kubeconfig for the student's shells. Graders and lab runs use the
// server's own kubeconfig. Lab namespaces made by `lab start` get the same Role
// and bindings, so the student can work in them.

import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { connect } from '../graders/sdk/connection.ts';
import type { ClusterConnection } from '../graders/sdk/types.ts';
import type { LabSpec } from '../cli/lab/schema.ts';
import type { KubeObject } from '../sandbox/sim/api/object.ts';
import type { ClusterAccess, ClusterObjects, ClusterProvider, TopologyResource } from './clusters.ts';
import type { Workspace, Workspaces } from './workspaces.ts';

export const STUDENT_SA = 'student';
export const STUDENT_ROLE = 'virtlab-student';
const TOKEN_SECONDS = 7 * 24 * 3600;
/** Re-mint a token once this share of its lifetime is gone. */
const REFRESH_AT = 0.8;
const POLL_MS = 5000;

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** What a student may do in their namespace (and in the namespaces of the labs they start). */
export const STUDENT_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts'], verbs: ALL },
  { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ALL },
  { apiGroups: ['route.openshift.io'], resources: ['routes', 'routes/custom-host'], verbs: ALL },
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations'], verbs: ALL },
  { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart', 'virtualmachines/migrate', 'virtualmachineinstances/pause', 'virtualmachineinstances/unpause'], verbs: ['update'] },
  { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/console', 'virtualmachineinstances/vnc'], verbs: ['get'] },
];

/** KubeVirt's aggregated roles the student's ServiceAccount is bound to as well (real clusters have them). */
export const KUBEVIRT_CLUSTER_ROLES = ['kubevirt.io:admin', 'kubevirt.io:migrate'];

interface RealState {
  namespace: string;
  token?: string;
  /** RFC 3339 expiry of the token. */
  expiresAt?: string;
  issuedAt?: string;
}

function stateOf(ws: Workspace): RealState {
  const s = ws.state as Partial<RealState>;
  return { namespace: typeof s.namespace === 'string' ? s.namespace : `virtlab-${ws.id}`, ...(s.token ? { token: s.token, expiresAt: s.expiresAt, issuedAt: s.issuedAt } : {}) };
}

function code(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : (e as { code?: number }).code;
}

async function createIfMissing(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (code(e) !== 409) throw e;
  }
}

export interface RealProviderOptions {
  kubeconfig: string;
  workspaces: Workspaces;
  log?: (line: string) => void;
}

export class RealClusterProvider implements ClusterProvider {
  readonly kind = 'kubeconfig';
  private readonly ready = new Set<string>();
  private connection?: Promise<ClusterConnection>;

  private constructor(private readonly opts: RealProviderOptions, private readonly kc: KubeConfig, private readonly core: CoreV1Api, private readonly rbac: RbacAuthorizationV1Api) {}

  static async connect(opts: RealProviderOptions): Promise<RealClusterProvider> {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(opts.kubeconfig);
    } catch (e) {
      throw new Error(`cannot read kubeconfig ${opts.kubeconfig}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${opts.kubeconfig} has no current context with a cluster`);
    const p = new RealClusterProvider(opts, kc, kc.makeApiClient(CoreV1Api), kc.makeApiClient(RbacAuthorizationV1Api));
    // Fails early, with the reason, when the cluster cannot be reached or refuses the credentials.
    await p.connectionFor();
    return p;
  }

  async restore(workspaces: Workspace[]): Promise<void> {
    // Nothing lives in this process: namespaces and tokens are on the cluster and in workspaces.state.
    for (const ws of workspaces) if (stateOf(ws).token) this.ready.add(ws.id);
  }

  private async bind(namespace: string, saNamespace: string): Promise<void> {
    await createIfMissing(() => this.rbac.createNamespacedRole({ namespace, body: { metadata: { name: STUDENT_ROLE }, rules: STUDENT_RULES } }));
    const subject = [{ kind: 'ServiceAccount', name: STUDENT_SA, namespace: saNamespace }];
    const bindings: [string, string, string][] = [[STUDENT_ROLE, 'Role', STUDENT_ROLE], ...KUBEVIRT_CLUSTER_ROLES.map((r): [string, string, string] => [`virtlab-${r.replace(/[.:]/g, '-')}`, 'ClusterRole', r])];
    for (const [name, kind, role] of bindings) {
      await createIfMissing(() => this.rbac.createNamespacedRoleBinding({
        namespace,
        body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: subject },
      }));
    }
  }

  async ensure(ws: Workspace, lab?: LabSpec): Promise<void> {
    const state = stateOf(ws);
    const ns = state.namespace;
    if (!this.ready.has(ws.id)) {
      await createIfMissing(() => this.core.createNamespace({
        body: { metadata: { name: ns, labels: { 'virtlab.dev/workspace': ws.id, 'pod-security.kubernetes.io/enforce': 'restricted' }, annotations: { 'virtlab.dev/user': ws.username } } },
      }));
      await createIfMissing(() => this.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: STUDENT_SA } } }));
      await this.bind(ns, ns);
      this.ready.add(ws.id);
    }
    await this.token(ws);
    // A lab's own namespaces (made by `lab start` with the server's rights) open to the student too.
    for (const labNs of lab?.namespaces ?? []) {
      try {
        await this.core.readNamespace({ name: labNs });
        await this.bind(labNs, ns);
      } catch (e) {
        if (code(e) !== 404) throw e;
      }
    }
  }

  /** The workspace's token, minted or re-minted when missing or near its expiry. */
  private async token(ws: Workspace): Promise<RealState & { token: string }> {
    const state = stateOf(ws);
    if (state.token && state.expiresAt && state.issuedAt) {
      const issued = Date.parse(state.issuedAt);
      const life = Date.parse(state.expiresAt) - issued;
      if (Date.now() < issued + life * REFRESH_AT) return state as RealState & { token: string };
    }
    const tr = await this.core.createNamespacedServiceAccountToken({
      name: STUDENT_SA, namespace: state.namespace,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
    });
    const token = tr.status?.token;
    if (!token) throw new Error(`the cluster issued no token for ServiceAccount ${state.namespace}/${STUDENT_SA}`);
    const expiresAt = tr.status?.expirationTimestamp ? new Date(tr.status.expirationTimestamp).toISOString() : new Date(Date.now() + TOKEN_SECONDS * 1000).toISOString();
    const next: RealState & { token: string } = { namespace: state.namespace, token, expiresAt, issuedAt: new Date().toISOString() };
    await this.opts.workspaces.saveState(ws, { ...next });
    return next;
  }

  exists(ws: Workspace): boolean {
    return this.ready.has(ws.id);
  }

  async accessFor(ws: Workspace): Promise<ClusterAccess> {
    await this.ensure(ws);
    const state = await this.token(ws);
    const cluster = this.kc.getCurrentCluster()!;
    const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : undefined;
    return { server: cluster.server, token: state.token, namespace: state.namespace, ...(caPem ? { caPem } : {}) };
  }

  async kubeconfigFor(ws: Workspace): Promise<string> {
    const a = await this.accessFor(ws);
    const skip = this.kc.getCurrentCluster()?.skipTLSVerify;
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server: a.server, ...(a.caPem ? { 'certificate-authority-data': Buffer.from(a.caPem).toString('base64') } : {}), ...(skip ? { 'insecure-skip-tls-verify': true } : {}) } }],
      users: [{ name: ws.username, user: { token: a.token } }],
      contexts: [{ name: `${ws.username}@lab`, context: { cluster: 'lab', user: ws.username, namespace: a.namespace } }],
      'current-context': `${ws.username}@lab`,
      preferences: {},
    });
  }

  connectionFor(_ws?: Workspace): Promise<ClusterConnection> {
    this.connection ??= connect({ kubeconfig: this.opts.kubeconfig });
    this.connection.catch(() => { this.connection = undefined; });
    return this.connection;
  }

  proxyFor(): string | undefined {
    return undefined;
  }

  objectsOf(ws: Workspace): ClusterObjects | undefined {
    if (!this.ready.has(ws.id)) return undefined;
    const ns = stateOf(ws).namespace;
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const items = (r: unknown): KubeObject[] => ((r as { items?: unknown[] }).items ?? []) as KubeObject[];
    const crd = (group: string, plural: string) => async () => items(await custom.listNamespacedCustomObject({ group, version: 'v1', namespace: ns, plural }));
    const lists: Record<TopologyResource, () => Promise<KubeObject[]>> = {
      nodes: async () => items(await this.core.listNode()),
      pods: async () => items(await this.core.listNamespacedPod({ namespace: ns })),
      services: async () => items(await this.core.listNamespacedService({ namespace: ns })),
      routes: crd('route.openshift.io', 'routes'),
      virtualmachines: crd('kubevirt.io', 'virtualmachines'),
      virtualmachineinstances: crd('kubevirt.io', 'virtualmachineinstances'),
    };
    // A kind the cluster does not serve (no Routes on kind) is simply empty.
    const list = (resource: TopologyResource): Promise<KubeObject[]> => lists[resource]().catch(() => []);
    return {
      list,
      // Real clusters are polled: the resourceVersions of the lists tell whether anything changed.
      watch: (changed) => {
        let last = '';
        const timer = setInterval(() => {
          void Promise.all((Object.keys(lists) as TopologyResource[]).map(list)).then((all) => {
            const key = all.flat().map((o) => o.metadata.resourceVersion).join(',');
            if (last && key !== last) changed();
            last = key;
          }, () => {});
        }, POLL_MS);
        timer.unref();
        return () => clearInterval(timer);
      },
    };
  }

  async persist(): Promise<void> {
    // Everything is on the cluster already.
  }

  async close(): Promise<void> {
    this.ready.clear();
  }
}
