// Reading the cluster through @kubernetes/client-node: one set of API clients
// per connection, custom resources by group/version/plural, "not found" as
// undefined, and every other API error rethrown with a message that names what
// was being read (a check that cannot read the cluster is ERROR, and its
// message should say why).

import { ApiException, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterConnection } from '../types.ts';

export interface ApiClients {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  discovery: DiscoveryV1Api;
}

const clients = new WeakMap<KubeConfig, ApiClients>();

export function apiClients(conn: ClusterConnection): ApiClients {
  let c = clients.get(conn.kubeConfig);
  if (!c) {
    c = {
      core: conn.kubeConfig.makeApiClient(CoreV1Api),
      custom: conn.kubeConfig.makeApiClient(CustomObjectsApi),
      discovery: conn.kubeConfig.makeApiClient(DiscoveryV1Api),
    };
    clients.set(conn.kubeConfig, c);
  }
  return c;
}

/** A read the API server refused or could not serve (not a 404 on a get). */
export class ClusterReadError extends Error {
  override name = 'ClusterReadError';
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

export interface ListOptions {
  /** "app=web,tier!=db", or a map of equality requirements. */
  labelSelector?: string | Record<string, string>;
  fieldSelector?: string;
}

export function selectorString(sel: ListOptions['labelSelector']): string | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === 'string') return sel || undefined;
  const parts = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

/** The Status message of an API error, or the error's own text. */
function statusMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body: unknown = e.body;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
      return `${(parsed as { message: string }).message} (HTTP ${e.code})`;
    }
    if (typeof body === 'string' && body.trim()) return `${body.trim().slice(0, 300)} (HTTP ${e.code})`;
    // Without a body client-node keeps the generated client's text for the code ("Message: Unauthorized").
    const said = /^Message: (.+)$/m.exec(e.message)?.[1]?.trim();
    return said && said !== 'Unknown API Status Code!' ? `${said} (HTTP ${e.code})` : `HTTP ${e.code}`;
  }
  return e instanceof Error ? e.message : String(e);
}

function wrap(e: unknown, what: string): ClusterReadError {
  return new ClusterReadError(`cannot read ${what}: ${statusMessage(e)}`, e instanceof ApiException ? e.code : undefined);
}

/** Awaits a read; a 404 gives undefined, any other failure a ClusterReadError naming `what`. */
export async function getOrUndefined<T>(read: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw wrap(e, what);
  }
}

/** Awaits a read (a list); every failure is a ClusterReadError naming `what` (a 404 means the API is not served). */
export async function readOrThrow<T>(read: Promise<T>, what: string): Promise<T> {
  try {
    return await read;
  } catch (e) {
    if (isNotFound(e)) throw new ClusterReadError(`cannot read ${what}: the API server does not serve this resource (HTTP 404): is the operator installed?`, 404);
    throw wrap(e, what);
  }
}

/** A custom resource: where it is served and how to name it in messages. */
export interface CustomResource {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const Resources = {
  vms: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespaced: true },
  vmis: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', namespaced: true },
  migrations: { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstancemigrations', namespaced: true },
  routes: { group: 'route.openshift.io', version: 'v1', plural: 'routes', namespaced: true },
  ipAddressPools: { group: 'metallb.io', version: 'v1beta1', plural: 'ipaddresspools', namespaced: true },
  l2Advertisements: { group: 'metallb.io', version: 'v1beta1', plural: 'l2advertisements', namespaced: true },
  machines: { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machines', namespaced: true },
  machineSets: { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machinesets', namespaced: true },
  machineHealthChecks: { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machinehealthchecks', namespaced: true },
  faults: { group: 'sim.virtlab.dev', version: 'v1alpha1', plural: 'faults', namespaced: false },
} as const satisfies Record<string, CustomResource>;

function describeRef(r: CustomResource, namespace: string | undefined, name?: string): string {
  const where = name !== undefined ? (r.namespaced && namespace ? `${namespace}/${name}` : name) : (r.namespaced && namespace ? `in namespace ${namespace}` : 'in the cluster');
  return `${r.plural}.${r.group} ${where}`;
}

/** One custom object, or undefined when it does not exist. */
export async function getCustom<T>(conn: ClusterConnection, r: CustomResource, namespace: string | undefined, name: string): Promise<T | undefined> {
  const { custom } = apiClients(conn);
  const { group, version, plural } = r;
  const read: Promise<unknown> = r.namespaced
    ? custom.getNamespacedCustomObject({ group, version, plural, namespace: namespace ?? 'default', name })
    : custom.getClusterCustomObject({ group, version, plural, name });
  return await getOrUndefined(read, describeRef(r, namespace, name)) as T | undefined;
}

/** Custom objects in a namespace (or in every namespace when it is undefined), sorted by name. */
export async function listCustom<T extends { metadata: { name: string; namespace?: string } }>(
  conn: ClusterConnection, r: CustomResource, namespace: string | undefined, opts: ListOptions = {},
): Promise<T[]> {
  const { custom } = apiClients(conn);
  const { group, version, plural } = r;
  const labelSelector = selectorString(opts.labelSelector);
  const fieldSelector = opts.fieldSelector;
  const read: Promise<unknown> = r.namespaced && namespace !== undefined
    ? custom.listNamespacedCustomObject({ group, version, plural, namespace, labelSelector, fieldSelector })
    : custom.listClusterCustomObject({ group, version, plural, labelSelector, fieldSelector });
  const list = await readOrThrow(read, describeRef(r, namespace)) as { items?: T[] };
  return byName(list.items ?? []);
}

/** Sorted by namespace then name, so messages list objects in a stable order. */
export function byName<T extends { metadata?: { name?: string; namespace?: string } }>(items: T[]): T[] {
  const key = (o: T): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}
