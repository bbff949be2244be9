// MetalLB's controller (metallb-system/controller): gives LoadBalancer
// Services without a loadBalancerClass an address from the IPAddressPools in
// metallb-system (status.loadBalancer.ingress and the
// metallb.io/ip-allocated-from-pool annotation), takes it back when the
// Service stops being a LoadBalancer or the pool no longer holds it, and
// reports each pool's usage in its status. Keys are Services ("ns/name") and
// pools ("pool:ns/name"). Every reconcile rebuilds the allocation from the
// Services' status, so it survives restarts; when an address is freed, the
// Services still waiting for one are reprocessed, as MetalLB reprocesses all.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { deepEqual } from '../../api/rest-storage.ts';
import { metallbConfig } from '../../kinds/metallb/index.ts';
import type { StoreEvent } from '../../store/object-store.ts';
import type { Controller, ReconcileResult } from '../../runtime/controller.ts';
import { keyOf, splitKey } from '../../runtime/controller.ts';
import { isNotFound } from '../../runtime/client.ts';
import type { ControllerDeps } from '../types.ts';
import { Annotation, annotationValue, type Pools } from './allocator.ts';
import { IPADDRESSPOOLS, metallbPools } from './config.ts';
import {
  allocatorFor, convergeBalancer, convergenceChanges, deprecatedAnnotationEvents, ingressIPs, isMetalLBService,
} from './converge.ts';
import { jsonClone } from '../../api/json-clone.ts';

const POOL_KEY = 'pool:';

function specOf(o: KubeObject): Record<string, unknown> {
  return isPlainObject(o.spec) ? o.spec : {};
}

/** A loadBalancerClass names another implementation: MetalLB leaves the Service alone entirely. */
function hasOtherClass(svc: KubeObject): boolean {
  const c = specOf(svc).loadBalancerClass;
  return typeof c === 'string' && c !== '';
}

/** What of a Service decides whether it may share, or frees an address when it changes. */
function allocationShape(svc: KubeObject): unknown {
  const spec = specOf(svc);
  return {
    lb: isMetalLBService(svc),
    ips: ingressIPs(svc),
    sharing: annotationValue(svc, Annotation.allowSharedIP),
    ports: spec.ports ?? null,
    policy: spec.externalTrafficPolicy ?? null,
    selector: spec.selector ?? null,
  };
}

export function metallbController(deps: ControllerDeps): Controller {
  const { client } = deps;
  const recorder = deps.recorder({ component: 'metallb-controller' });

  const pools = (): Pools => metallbPools((r, ns) => client.list(r, ns));

  async function reconcile(key: string): Promise<ReconcileResult | void> {
    if (key.startsWith(POOL_KEY)) return reconcilePool(key.slice(POOL_KEY.length));
    const { namespace, name } = splitKey(key);
    const svc = client.get('services', namespace, name);
    if (!svc || hasOtherClass(svc)) return;
    const services = client.list('services');
    const alloc = allocatorFor(pools(), services, key);
    const c = convergeBalancer(alloc, svc);
    const changes = convergenceChanges(svc, c);
    for (const e of [...c.events, ...(changes ? deprecatedAnnotationEvents(svc) : [])]) await recorder.event(svc, e.type, e.reason, e.message);
    if (!changes) return;

    // The real controller writes both in one services/status update; here the
    // status strategy keeps metadata, so the annotation goes through the object.
    try {
      if (svc.metadata.annotations?.[Annotation.ipAllocatedFromPool] !== c.pool) {
        await client.patch('services', namespace, name, 'merge', { metadata: { annotations: { [Annotation.ipAllocatedFromPool]: c.pool ?? null } } });
      }
      if (!sameList(ingressIPs(svc), c.ips)) {
        const loadBalancer = c.ips.length ? { ingress: c.ips.map((ip) => ({ ip, ipMode: 'VIP' })) } : {};
        const cur = client.get('services', namespace, name);
        if (!cur) return;
        await client.updateStatus('services', { ...jsonClone(cur), status: { ...(isPlainObject(cur.status) ? cur.status : {}), loadBalancer } });
      }
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }

  async function reconcilePool(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pool = client.get(IPADDRESSPOOLS, namespace, name);
    if (!pool || pool.metadata.deletionTimestamp || namespace !== metallbConfig.namespace) return;
    const all = pools();
    if (!all.byName.has(name)) return;
    const c = allocatorFor(all, client.list('services')).counters(name);
    const next = { assignedIPv4: c.assignedIPv4, assignedIPv6: c.assignedIPv6, availableIPv4: c.availableIPv4, availableIPv6: c.availableIPv6 };
    const cur = isPlainObject(pool.status) ? pool.status : {};
    if (deepEqual({ ...cur, ...next }, cur)) return;
    try {
      await client.updateStatus(IPADDRESSPOOLS, { ...jsonClone(pool), status: { ...jsonClone(cur), ...next } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  const poolKeys = (): string[] => client.list(IPADDRESSPOOLS, metallbConfig.namespace).map((p) => POOL_KEY + keyOf(p));
  const lbServiceKeys = (): string[] => client.list('services').filter(isMetalLBService).map(keyOf);
  /** Services waiting for an address. */
  const pendingKeys = (): string[] => client.list('services').filter((s) => isMetalLBService(s) && ingressIPs(s).length === 0).map(keyOf);

  function mapService(svc: KubeObject, ev: StoreEvent | undefined): string[] {
    const keys = [keyOf(svc)];
    const prev = ev?.type === 'MODIFIED' ? ev.previous : undefined;
    const freed = ev?.type === 'DELETED'
      ? ingressIPs(svc).length > 0
      : !!prev && !deepEqual(allocationShape(prev), allocationShape(svc)) && ingressIPs(prev).length > 0;
    if (freed) keys.push(...pendingKeys());
    if (!ev || ev.type === 'DELETED' || !prev || !sameList(ingressIPs(prev), ingressIPs(svc))) keys.push(...poolKeys());
    return keys;
  }

  /** A pool's spec or labels changed (its own status writes do not count). */
  function mapPool(pool: KubeObject, ev: StoreEvent | undefined): string[] {
    if (pool.metadata.namespace !== metallbConfig.namespace) return [];
    const prev = ev?.type === 'MODIFIED' ? ev.previous : undefined;
    if (prev && deepEqual(prev.spec, pool.spec) && deepEqual(prev.metadata.labels, pool.metadata.labels)
      && !!prev.metadata.deletionTimestamp === !!pool.metadata.deletionTimestamp) return [];
    return [...lbServiceKeys(), ...poolKeys()];
  }

  return {
    name: 'metallb-controller',
    watches: [
      { resource: 'services', map: mapService },
      { resource: IPADDRESSPOOLS, map: mapPool },
      {
        // Namespace labels decide which pools serviceAllocation.namespaceSelectors pin.
        resource: 'namespaces',
        map: (ns, ev) => (ev?.type === 'MODIFIED' && ev.previous && deepEqual(ev.previous.metadata.labels, ns.metadata.labels) ? [] : ev ? lbServiceKeys() : []),
      },
    ],
    reconcile,
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
