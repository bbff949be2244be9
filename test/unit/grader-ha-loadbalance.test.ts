// The ha-loadbalance grader against the embedded cluster, driven through the
// real kubectl the way the chapter's steps go: on the fresh exercise every
// check fails; the mistakes a student makes on the way (the label on the VM
// instead of its template, a label added under a running instance, a Service
// without targetPort, a Route without the cookie name, a LoadBalancer before
// its pool exists) fail with a message that says so; the corrected states
// pass. The traffic checks run when this checkout has the data plane's
// external proxy. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGraderLab, type GraderLab } from './grader-fixtures.ts';

const NS = 'ha-loadbalance';

const service = (name: string, type: string, port: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS },
  spec: { type, selector: { app: 'helloworld' }, ports: [{ name: 'http', port: 80, ...port }] },
});

describe('ha-loadbalance grader', () => {
  let lab: GraderLab;

  before(async () => { lab = await startGraderLab('ha-loadbalance'); });
  after(async () => { await lab.close(); });

  it('fails every scored check on the exercise as `lab start` leaves it', async () => {
    const results = await lab.grade();
    for (const c of lab.grader.checks) {
      const r = results.get(c.id);
      assert.equal(r?.status, 'FAIL', `${c.id}: ${r?.status} ${r?.message}`);
    }
    assert.match(results.get('vms-labelled')!.message, /VM ha-loadbalance\/web1 has no label app=helloworld in spec\.template\.metadata\.labels/);
    assert.match(results.get('route-balances')!.message, /Route ha-loadbalance\/helloworld does not exist, so hello-ha-loadbalance\.apps\.ocp4\.example\.com leads nowhere/);
    assert.match(results.get('sticky-failover')!.message, /both VMs must be ready before one is taken out: Service ha-loadbalance\/helloworld does not exist/);
    assert.match(results.get('lb-service')!.message, /Service ha-loadbalance\/helloworld-lb does not exist/);
  });

  it('fails a label put on the VM instead of its template', async () => {
    await lab.kubectl(['label', 'vm', 'web1', '-n', NS, 'app=helloworld']);
    await lab.failsWith('vms-labelled', 'VM ha-loadbalance/web1 has app=helloworld in metadata.labels, which is never copied to its instances: put it under spec.template.metadata.labels');
  });

  it('fails a label added to the template of a running VM until it restarts', async () => {
    await lab.patchVm('web1', { spec: { runStrategy: 'Always', template: { metadata: { labels: { app: 'helloworld' } } } } });
    await lab.patchVm('web2', { spec: { runStrategy: 'Always' } });
    await lab.sim.advance(60);
    await lab.patchVm('web2', { spec: { template: { metadata: { labels: { app: 'helloworld' } } } } });
    await lab.failsWith('vms-labelled',
      'VMI ha-loadbalance/web2 was started before its template had app=helloworld, so its virt-launcher pod lacks the label: restart the VM (virtctl restart web2)');
    await lab.kubectl(['delete', 'vmi', 'web2', '-n', NS, '--wait=false']);
    await lab.sim.advance(60);
    await lab.passes('vms-labelled');
  });

  it('fails a Service without targetPort, and passes once both VMs are its ready endpoints', async () => {
    await lab.apply(service('helloworld', 'ClusterIP', {}));
    await lab.failsWith('service-endpoints', 'Service ha-loadbalance/helloworld forwards port 80 to 80 (a targetPort left out equals the port), but httpd listens on 8080 in the guests');
    await lab.apply(service('helloworld', 'ClusterIP', { targetPort: 8080 }));
    await lab.sim.advance(2);
    await lab.passes('service-endpoints');
  });

  it('fails a Route without the cookie name, and passes once it is annotated', async () => {
    await lab.apply({
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'helloworld', namespace: NS },
      spec: { host: 'hello-ha-loadbalance.apps.ocp4.example.com', to: { kind: 'Service', name: 'helloworld' }, port: { targetPort: 'http' } },
    });
    await lab.failsWith('route-cookie', 'Route ha-loadbalance/helloworld has no router.openshift.io/cookie_name annotation');
    await lab.kubectl(['annotate', 'route', 'helloworld', '-n', NS, 'router.openshift.io/cookie_name=helloworld']);
    await lab.failsWith('route-cookie', 'Route ha-loadbalance/helloworld names its cookie "helloworld", expected "hello"');
    await lab.kubectl(['annotate', 'route', 'helloworld', '-n', NS, '--overwrite', 'router.openshift.io/cookie_name=hello']);
    await lab.sim.advance(1);
    await lab.passes('route-cookie');
  });

  it('sees both VMs, a sticky client, and the client moved when its VM stops being ready', async () => {
    await lab.passes('route-balances');
    await lab.passes('route-sticky');
    const failover = await lab.passes('sticky-failover');
    assert.match(failover.message, /its sticky client was moved to web[12] with a new hello cookie/);
  });

  it('fails the LoadBalancer Service while MetalLB has no pool, and passes with the pool and its advertisement', async () => {
    await lab.apply(service('helloworld-lb', 'LoadBalancer', { targetPort: 8080 }));
    await lab.sim.advance(2);
    await lab.failsWith('lb-service', 'Service ha-loadbalance/helloworld-lb has no external address yet (EXTERNAL-IP <pending>)');
    await lab.failsWith('metallb-pool', 'IPAddressPool metallb-system/hello-pool does not exist');

    const pool = (addresses: string[]): Record<string, unknown> => ({
      apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'hello-pool', namespace: 'metallb-system' }, spec: { addresses },
    });
    await lab.apply(pool(['192.168.50.10-192.168.50.20']));
    await lab.failsWith('metallb-pool', 'IPAddressPool metallb-system/hello-pool has addresses 192.168.50.10-192.168.50.20, expected 192.168.50.10-192.168.50.19');
    await lab.apply(pool(['192.168.50.10-192.168.50.19']));
    await lab.failsWith('metallb-pool', 'there is no L2Advertisement in metallb-system: addresses from hello-pool would be assigned but never announced');
    await lab.apply({
      apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'hello-l2', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['hello-pool'] },
    });
    await lab.sim.advance(5);
    await lab.passes('metallb-pool');
    const lb = await lab.passes('lb-service');
    assert.match(lb.message, /Service helloworld-lb has address 192\.168\.50\.1\d from hello-pool/);
  });
});
