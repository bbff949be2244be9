// The Service proxy seen from inside the cluster (a guest's curl): random
// ready endpoints, ClientIP affinity on the cluster clock, target ports from
// the EndpointSlice port named like the Service port, refusals and silences,
// and NetworkPartition / NodePowerOff faults cutting pods off.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createService, NS, runGuest, seeded, servedBy, startNetLab, writeSlice, type NetLab } from './dataplane-fixtures.ts';
import { DataPlane } from '../../sandbox/sim/dataplane/dataplane.ts';
import type { DataPlaneRequest, Delivery } from '../../sandbox/sim/dataplane/http-message.ts';

const WEB1 = { ip: '10.128.16.10', pod: 'virt-launcher-web-1-x5abc', node: 'worker-0' };
const WEB2 = { ip: '10.128.18.10', pod: 'virt-launcher-web-2-x5abc', node: 'worker-1' };
const CLIENT = { ip: '10.128.20.10', node: 'worker-2' };
const FAULTS = 'sim.virtlab.dev/faults';

function request(host: string, port: number, path = '/'): DataPlaneRequest {
  return { method: 'GET', host, port, path, scheme: 'http', headers: [['Host', `${host}:${port}`]], clientIp: CLIENT.ip };
}

describe('service proxy', () => {
  let lab: NetLab;
  const from = (ip = CLIENT.ip, node = CLIENT.node) => ({ ip, node });
  const call = (host: string, port: number, origin = from()): Delivery => lab.plane.fromInside(request(host, port), origin);

  before(async () => {
    lab = await startNetLab();
    await runGuest(lab, 'web-1', WEB1.ip, WEB1.node);
    await runGuest(lab, 'web-2', WEB2.ip, WEB2.node);
    await lab.cluster.advance(120);
    await createService(lab, 'web', { clusterIP: '172.30.20.10', ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9100 }] });
    await createService(lab, 'sticky', {
      clusterIP: '172.30.20.11',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      extra: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } },
    });
    await createService(lab, 'lonely', { clusterIP: '172.30.20.12', ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await writeSlice(lab, 'sticky', [WEB1, WEB2], [{ name: 'http', port: 8080 }]);
  });
  after(() => lab.close());

  beforeEach(async () => {
    await writeSlice(lab, 'web', [WEB1, WEB2], [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }]);
    lab.plane = new DataPlane(lab.cluster, { random: seeded(3) });
    for (const f of lab.admin.list(FAULTS)) await lab.admin.delete(FAULTS, undefined, f.metadata.name!);
  });

  it('sends each connection to a random ready endpoint, on the port the slice names for the Service port', () => {
    const seen = new Set(Array.from({ length: 20 }, () => servedBy(call('172.30.20.10', 80))));
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
    // Port 9100 resolves to 9100 on the pods, where nothing listens.
    const metrics = call('172.30.20.10', 9100);
    assert.ok('error' in metrics && metrics.error === 'refused', JSON.stringify(metrics));
    assert.match(metrics.detail, /^10\.128\.1[68]\.10:9100: connection refused$/);
  });

  it('skips endpoints that are not ready, and refuses when none is', async () => {
    await writeSlice(lab, 'web', [{ ...WEB1, ready: false }, WEB2], [{ name: 'http', port: 8080 }]);
    assert.deepEqual(new Set(Array.from({ length: 10 }, () => servedBy(call('172.30.20.10', 80)))), new Set(['web-2']));
    const none = call('172.30.20.12', 80);
    assert.ok('error' in none && none.error === 'refused', JSON.stringify(none));
    assert.match((none as { detail: string }).detail, /Service ha-lab\/lonely port 80 has no ready endpoints/);
  });

  it('drops connections to a port the Service does not have, and to unknown pod addresses', () => {
    assert.equal((call('172.30.20.10', 8443) as { error?: string }).error, 'timeout');
    assert.equal((call('10.128.30.30', 80) as { error?: string }).error, 'timeout');
  });

  it('keeps a client on one endpoint with ClientIP affinity while it returns within the timeout', async () => {
    const first = servedBy(call('172.30.20.11', 80));
    for (let i = 0; i < 15; i++) {
      await lab.cluster.advance(9);
      assert.equal(servedBy(call('172.30.20.11', 80)), first, 'the timeout runs from the last connection');
    }
    // Another client gets its own pick; after 10 s of silence the pick is fresh.
    const picks = new Set<string>();
    for (let i = 0; i < 20; i++) {
      await lab.cluster.advance(11);
      picks.add(servedBy(call('172.30.20.11', 80)));
    }
    assert.deepEqual([...picks].sort(), ['web-1', 'web-2']);
  });

  it('reaches pod IPs directly, and a NetworkPartition cuts the node off both ways', async () => {
    assert.equal(servedBy(call(WEB2.ip, 8080)), 'web-2');
    await lab.admin.create(FAULTS, { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'cut-worker-1' }, spec: { type: 'NetworkPartition', target: { kind: 'Node', name: 'worker-1' } } });
    const cut = call(WEB2.ip, 8080);
    assert.ok('error' in cut && cut.error === 'timeout');
    assert.match((cut as { detail: string }).detail, /node worker-1 is cut off from the network/);
    assert.equal(servedBy(call(WEB1.ip, 8080)), 'web-1');
    // From the partitioned node, only its own pods answer.
    assert.equal((call(WEB1.ip, 8080, from('10.128.18.99', 'worker-1')) as { error?: string }).error, 'timeout');
    assert.equal(servedBy(call(WEB2.ip, 8080, from('10.128.18.99', 'worker-1'))), 'web-2');
  });

  it('forgets ClientIP affinity once its Service is gone', async () => {
    let next = 0.99;
    lab.plane = new DataPlane(lab.cluster, { random: () => next });
    const make = async (): Promise<void> => {
      await createService(lab, 'again', {
        clusterIP: '172.30.20.13',
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        extra: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } },
      });
      await writeSlice(lab, 'again', [WEB1, WEB2], [{ name: 'http', port: 8080 }]);
    };
    await make();
    const first = servedBy(call('172.30.20.13', 80));
    next = 0;
    assert.equal(servedBy(call('172.30.20.13', 80)), first, 'affinity holds while the Service exists');
    await lab.admin.delete('services', NS, 'again');
    await lab.admin.delete('discovery.k8s.io/endpointslices', NS, 'again-abcde');
    // Some other connection through the proxy while the Service is gone.
    call('172.30.20.10', 80);
    await make();
    assert.notEqual(servedBy(call('172.30.20.13', 80)), first, 'a new Service starts without the old affinity');
    await lab.admin.delete('services', NS, 'again');
    await lab.admin.delete('discovery.k8s.io/endpointslices', NS, 'again-abcde');
  });

  it('times out on pods of a powered-off node', async () => {
    await lab.admin.create(FAULTS, { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'off-worker-0' }, spec: { type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-0' } } });
    const d = call(WEB1.ip, 8080);
    assert.ok('error' in d && d.error === 'timeout');
    assert.match((d as { detail: string }).detail, /node worker-0 is powered off/);
    assert.equal(lab.admin.list('pods', NS).length, 2);
  });
});
