// What the outside world reaches, exactly as on a real cluster: Route hosts,
// LoadBalancer addresses a node announces (and why an assigned address stays
// silent), NodePorts on node addresses; cluster IPs, pod IPs, *.svc names
// and unknown hosts are refused with a text that says so and what to do.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRoute, createService, INGRESS_DOMAIN, L2STATUSES, NS, outside, runGuest, servedBy, startNetLab, writeSlice, type NetLab } from './dataplane-fixtures.ts';
import type { DataPlaneResponse } from '../../sandbox/sim/dataplane/http-message.ts';

const WEB1 = { ip: '10.128.16.10', pod: 'virt-launcher-web-1-x5abc', node: 'worker-0' };
const WEB2 = { ip: '10.128.18.10', pod: 'virt-launcher-web-2-x5abc', node: 'worker-1' };
const LB_IP = '192.168.126.240';
const FAULTS = 'sim.virtlab.dev/faults';
const MLB = 'metallb-system';

describe('external reachability', () => {
  let lab: NetLab;
  const get = (url: string): DataPlaneResponse => lab.plane.fromOutside(outside(url));

  before(async () => {
    lab = await startNetLab();
    await runGuest(lab, 'web-1', WEB1.ip, WEB1.node);
    await runGuest(lab, 'web-2', WEB2.ip, WEB2.node);
    await lab.cluster.advance(120);
    const svc = await createService(lab, 'web', {
      type: 'LoadBalancer', clusterIP: '172.30.40.10', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
      annotations: { 'metallb.io/ip-allocated-from-pool': 'lab-pool' },
    });
    await lab.admin.updateStatus('services', { ...structuredClone(svc), status: { loadBalancer: { ingress: [{ ip: LB_IP, ipMode: 'VIP' }] } } });
    await writeSlice(lab, 'web', [WEB1, WEB2], [{ name: 'http', port: 8080 }]);
    await lab.admin.create('metallb.io/ipaddresspools', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab-pool', namespace: MLB }, spec: { addresses: ['192.168.126.240-192.168.126.250'] } });
    await createRoute(lab, 'web', `web-ha-lab.${INGRESS_DOMAIN}`, { to: { kind: 'Service', name: 'web' } });
  });
  after(() => lab.close());

  it('answers route hosts through the router, and unknown hosts of the apps domain with its 503 page', () => {
    assert.match(servedBy(get(`http://web-ha-lab.${INGRESS_DOMAIN}/`)), /^web-\d$/);
    const other = get(`http://nothing-here.${INGRESS_DOMAIN}/`);
    assert.equal(other.status, 503);
    assert.match(other.body, /Application is not available/);
    assert.equal(get(`http://web-ha-lab.${INGRESS_DOMAIN}:8080/`).status, 502, 'the router listens on 80 and 443 only');
  });

  it('refuses cluster IPs, pod IPs, service names and unknown hosts with a 502 that says why', () => {
    const cip = get('http://172.30.40.10/');
    assert.equal(cip.status, 502);
    assert.equal(cip.body, 'virtlab proxy: 172.30.40.10 is the cluster IP of Service ha-lab/web; cluster IPs are not reachable from outside the cluster. '
      + 'To reach it from outside, expose the Service with a Route (oc expose service web -n ha-lab) or make it a LoadBalancer or NodePort Service.\n');
    assert.match(get('http://172.30.99.99/').body, /172\.30\.99\.99 is in the service network .*not reachable from outside the cluster/);
    const pod = get(`http://${WEB1.ip}:8080/`);
    assert.equal(pod.status, 502);
    assert.match(pod.body, new RegExp(`${WEB1.ip.replace(/\./g, '\\.')} is the IP of pod ha-lab/${WEB1.pod}; pod IPs are not reachable from outside the cluster`));
    const name = get('http://web.ha-lab.svc.cluster.local/');
    assert.equal(name.status, 502);
    assert.match(name.body, /web\.ha-lab\.svc\.cluster\.local is the in-cluster DNS name of Service ha-lab\/web; .* not reachable from outside the cluster\. .*oc expose service web -n ha-lab/);
    assert.match(get('http://web.ha-lab.svc/').body, /in-cluster DNS name of Service ha-lab\/web/);
    const unknown = get('http://www.example.com/');
    assert.equal(unknown.status, 502);
    assert.match(unknown.body, /Could not resolve host www\.example\.com: .*not reachable from outside the cluster/);
  });

  it('keeps an assigned LoadBalancer address silent until a node announces it, and says why', async () => {
    let r = get(`http://${LB_IP}/`);
    assert.equal(r.status, 504);
    assert.equal(r.body, `virtlab proxy: Connection to ${LB_IP} port 80 timed out: ${LB_IP} is assigned to Service ha-lab/web from IPAddressPool lab-pool, but the address is not announced by any node: no L2Advertisement in metallb-system covers IPAddressPool lab-pool.\n`);
    await lab.admin.create('metallb.io/l2advertisements', { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lab-l2', namespace: MLB }, spec: { ipAddressPools: ['lab-pool'] } });
    assert.match(get(`http://${LB_IP}/`).body, /not announced by any node: no MetalLB speaker has announced it yet/);
    await writeSlice(lab, 'web', [{ ...WEB1, ready: false }, { ...WEB2, ready: false }], [{ name: 'http', port: 8080 }]);
    assert.match(get(`http://${LB_IP}/`).body, /not announced by any node: Service ha-lab\/web has no ready endpoints/);
    await writeSlice(lab, 'web', [WEB1, WEB2], [{ name: 'http', port: 8080 }]);
    const st = await lab.admin.create(L2STATUSES, {
      apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status',
      metadata: { name: 'l2-bcdfg', namespace: MLB, labels: { 'metallb.io/node': 'worker-2', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': NS } },
    });
    await lab.admin.updateStatus(L2STATUSES, { ...structuredClone(st), status: { node: 'worker-2', serviceName: 'web', serviceNamespace: NS, interfaces: [{ name: 'eth0' }] } });
    r = get(`http://${LB_IP}/`);
    assert.equal(r.status, 200);
    // Straight to the guest: its own headers, no router in between.
    assert.deepEqual(r.headers.map(([k]) => k), ['Date', 'Server', 'Content-Length', 'Content-Type']);
    assert.equal(get(`http://${LB_IP}:8080/`).status, 504, 'no Service port 8080 on the address');
    // An address of the pool nobody was given does not answer either.
    assert.match(get('http://192.168.126.245/').body, /192\.168\.126\.245 belongs to IPAddressPool lab-pool, but no Service has been assigned this address/);
    await lab.admin.create(FAULTS, { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'cut-worker-2' }, spec: { type: 'NetworkPartition', target: { kind: 'Node', name: 'worker-2' } } });
    assert.match(get(`http://${LB_IP}/`).body, /node worker-2 announces 192\.168\.126\.240 but is cut off from the network/);
    await lab.admin.delete(FAULTS, undefined, 'cut-worker-2');
  });

  it('serves NodePorts on the address of every node that is up', async () => {
    assert.match(servedBy(get('http://192.168.126.51:30080/')), /^web-\d$/);
    assert.match(servedBy(get('http://worker-1:30080/')), /^web-\d$/);
    const closed = get('http://192.168.126.51:31000/');
    assert.equal(closed.status, 502);
    assert.match(closed.body, /Failed to connect to 192\.168\.126\.51 port 31000: connection refused/);
    await lab.admin.create(FAULTS, { apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name: 'off-worker-2' }, spec: { type: 'NodePowerOff', target: { kind: 'Node', name: 'worker-2' } } });
    const down = get('http://192.168.126.53:30080/');
    assert.equal(down.status, 504);
    assert.match(down.body, /node worker-2 is powered off/);
  });
});
