// The events timeline's words for topology changes (web/src/topology/changes.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topologyChanges } from '../../web/src/topology/changes.ts';
import type { Topology } from '../../web/src/types.ts';

function topology(over: Partial<Topology> = {}): Topology {
  return {
    nodes: [
      { name: 'worker-0', roles: ['worker'], ready: true, schedulable: true },
      { name: 'worker-1', roles: ['worker'], ready: true, schedulable: true },
    ],
    vms: [{ namespace: 'ha', name: 'web1', status: 'Running', runStrategy: 'Always' }],
    vmis: [{ namespace: 'ha', name: 'web1', node: 'worker-0', phase: 'Running', ready: true, ip: '10.0.0.1', vm: 'web1' }],
    services: [{ namespace: 'ha', name: 'web', type: 'ClusterIP', clusterIP: '172.30.0.1', externalIPs: [], ports: [{ port: 80, targetPort: 8080 }], vmis: [{ name: 'web1', ready: true }] }],
    routes: [{ namespace: 'ha', name: 'web', host: 'web.apps.example.com', service: 'web', admitted: true }],
    ...over,
  };
}

const texts = (prev: Topology | undefined, next: Topology): string[] => topologyChanges(prev, next).map((c) => c.text);

describe('topology changes', () => {
  it('says nothing for the first snapshot or an unchanged one', () => {
    assert.deepEqual(texts(undefined, topology()), []);
    assert.deepEqual(texts(topology(), topology()), []);
  });

  it('tells a migration (same VMI, another node) and a node failure', () => {
    const before = topology();
    const after = topology({
      nodes: [{ name: 'worker-0', roles: ['worker'], ready: false, schedulable: false }, before.nodes[1]],
      vmis: [{ ...before.vmis[0], node: 'worker-1' }],
    });
    assert.deepEqual(texts(before, after), [
      'Node worker-0 is NotReady',
      'Node worker-0 is cordoned (SchedulingDisabled)',
      'VMI ha/web1 moved from worker-0 to worker-1',
    ]);
    assert.deepEqual(topologyChanges(before, after).map((c) => c.severity), ['warning', 'warning', 'info']);
  });

  it('tells a failover: the instance goes, a new one is scheduled, becomes ready, the Service follows', () => {
    const t0 = topology();
    const gone = topology({ vmis: [], services: [{ ...t0.services[0], vmis: [] }], vms: [{ ...t0.vms[0], status: 'Starting' }] });
    assert.deepEqual(texts(t0, gone), [
      'VM ha/web1: Running → Starting',
      'VMI ha/web1 is gone (it ran on worker-0)',
      'Service ha/web has 0/0 ready VMs',
    ]);
    const back = topology({ vmis: [{ ...t0.vmis[0], node: 'worker-1', phase: 'Scheduling', ready: false }], services: [{ ...t0.services[0], vmis: [{ name: 'web1', ready: false }] }] });
    assert.deepEqual(texts(gone, back), [
      'VM ha/web1: Starting → Running',
      'VMI ha/web1 created on worker-1',
      'Service ha/web has 0/1 ready VMs (web1 not ready)',
    ]);
    const ready = topology({ vmis: [{ ...t0.vmis[0], node: 'worker-1' }] });
    assert.deepEqual(texts(back, ready), ['VMI ha/web1 is Running (was Scheduling)', 'VMI ha/web1 is ready', 'Service ha/web has 1/1 ready VMs (web1)']);
  });

  it('tells Services and Routes appearing, external addresses and admission', () => {
    const t0 = topology({ services: [], routes: [] });
    const t1 = topology({ routes: [{ namespace: 'ha', name: 'web', host: 'web.apps.example.com', service: 'web', admitted: false }] });
    assert.deepEqual(texts(t0, t1), ['Service ha/web (ClusterIP) created with 1/1 ready VMs', 'Route ha/web created for web.apps.example.com']);
    const t2 = topology({ services: [{ ...t1.services[0], type: 'LoadBalancer', externalIPs: ['192.168.50.10'] }] });
    assert.deepEqual(texts(t1, t2), ['Service ha/web got external address 192.168.50.10', 'Route ha/web admitted by the router']);
    assert.deepEqual(texts(t2, topology({ services: [], routes: [] })), ['Service ha/web deleted', 'Route ha/web deleted']);
  });
});
