// Pods and Services for the endpoints and EndpointSlice unit tests.

import type { KubeObject } from '../../sandbox/sim/api/object.ts';

export type J = Record<string, any>;

export function pod(name: string, o: { labels?: Record<string, string>; ip?: string; ready?: boolean; phase?: string; deleting?: boolean;
  node?: string; ports?: J[]; hostname?: string; subdomain?: string; rv?: string; readySince?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'ha', uid: `uid-${name}`, resourceVersion: o.rv ?? '1', labels: o.labels ?? { tier: 'frontend' },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'worker-0',
      containers: [{ name: 'compute', image: 'x', ...(o.ports ? { ports: o.ports } : {}) }],
      ...(o.hostname ? { hostname: o.hostname } : {}), ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.128.2.5', podIPs: [{ ip: o.ip ?? '10.128.2.5' }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:30Z' }],
    },
  };
}

export function service(name: string, spec: J = {}, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'ha', uid: `svc-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', ...(labels ? { labels } : {}) },
    spec: { type: 'ClusterIP', selector: { tier: 'frontend' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  };
}
