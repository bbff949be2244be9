// Services and Routes through the real kubectl 1.32: cluster IPs and node
// ports allocated by the API server as the write happens (create service,
// expose, apply, type changes, conflicts with kube-apiserver's texts), the
// platform Services every OpenShift cluster has, generated Route hosts and the
// default router's admission (oldest route wins a host).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from './harness.ts';

const NS = 'lab';
type J = Record<string, any>;

function service(name: string, spec: J, labels: Record<string, string> = { app: name }): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, labels }, spec });
}

function route(name: string, spec: J, namespace = NS): string {
  return JSON.stringify({ apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace }, spec: { to: { kind: 'Service', name: 'web' }, ...spec } });
}

describe('Services and Routes', () => {
  let sim: Sim;
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const r = await sim.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  };
  const kubectlFails = async (args: string[], input?: string): Promise<string> => {
    const r = await sim.kubectl(args, input === undefined ? undefined : { input });
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.stdout}`);
    return r.stderr.trim();
  };
  const svc = (name: string): J => sim.cluster.store.get('services', NS, name)!.spec as J;
  const routeObj = (name: string, namespace = NS): KubeObject => sim.cluster.store.get('route.openshift.io/routes', namespace, name)!;

  before(async () => {
    sim = await startSim();
    await kubectl(['create', 'namespace', NS]);
  });
  after(async () => { await sim.close(); });

  it('has the platform Services at their fixed addresses', async () => {
    const out = await kubectl(['get', 'svc', '-n', 'default', 'kubernetes']);
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    assert.match(out, /^kubernetes\s+ClusterIP\s+172\.30\.0\.1\s+<none>\s+443\/TCP\s+\d+s\n$/m);
    const all = await kubectl(['get', 'svc', '-A']);
    assert.match(all, /^openshift-dns\s+dns-default\s+ClusterIP\s+172\.30\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9154\/TCP\s/m);
    assert.match(all, /^openshift-ingress\s+router-internal-default\s+ClusterIP\s+172\.30\.\d+\.\d+\s+<none>\s+80\/TCP,443\/TCP,1936\/TCP\s/m);
    const dns = JSON.parse(await kubectl(['get', 'svc', '-n', 'openshift-dns', 'dns-default', '-o', 'json']));
    assert.deepEqual(dns.spec.selector, { 'dns.operator.openshift.io/daemonset-dns': 'default' });
  });

  it('kubectl create service clusterip gets an address from the service network right away', async () => {
    assert.equal((await kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', NS])).trim(), 'service/web created');
    const out = await kubectl(['get', 'svc', 'web', '-n', NS]);
    const m = /^web\s+ClusterIP\s+(172\.30\.(\d+)\.(\d+))\s+<none>\s+80\/TCP\s/m.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[2]) >= 1, `${m[1]} is a dynamic address, above the static band`);
    assert.deepEqual(svc('web').clusterIPs, [m[1]]);
  });

  it('kubectl create service nodeport --node-port takes that port; a second one gets the exact error', async () => {
    await kubectl(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-n', NS]);
    assert.match(await kubectl(['get', 'svc', 'np', '-n', NS]), /^np\s+NodePort\s+172\.30\.\d+\.\d+\s+<none>\s+80:30080\/TCP\s/m);
    const err = await kubectlFails(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080', '-n', NS]);
    assert.equal(err, 'error: failed to create NodePort service: Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const low = await kubectlFails(['create', 'service', 'nodeport', 'np3', '--tcp=80:8080', '--node-port=8080', '-n', NS]);
    assert.equal(low, 'error: failed to create NodePort service: Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
    // Without --node-port one is allocated above the static band (30000-30085).
    await kubectl(['create', 'service', 'nodeport', 'np4', '--tcp=443', '-n', NS]);
    const np = svc('np4').ports[0].nodePort;
    assert.ok(np >= 30086 && np <= 32767, `node port ${np}`);
  });

  it('a requested cluster IP must be free and in the range, with kube-apiserver\'s texts', async () => {
    const taken = await kubectlFails(['create', 'service', 'clusterip', 'dup', '--clusterip=172.30.0.10', '--tcp=53', '-n', NS]);
    assert.equal(taken, 'error: failed to create ClusterIP service: Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"172.30.0.10"}: failed to allocate IP 172.30.0.10: provided IP is already allocated');
    const outside = await kubectlFails(['apply', '-f', '-'], service('outside', { clusterIP: '10.0.0.5', ports: [{ port: 80 }] }));
    assert.equal(outside, 'The Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 172.30.0.0/16');
    const network = await kubectlFails(['apply', '-f', '-'], service('netaddr', { clusterIP: '172.30.0.0', ports: [{ port: 80 }] }));
    assert.match(network, /failed to allocate IP 172\.30\.0\.0: the provided IP \(172\.30\.0\.0\) is not in the valid range/);
    // A free address of the static band can be asked for.
    await kubectl(['apply', '-f', '-'], service('pinned', { clusterIP: '172.30.0.50', ports: [{ port: 80 }] }));
    assert.equal(svc('pinned').clusterIP, '172.30.0.50');
  });

  it('kubectl expose pod creates a Service with an address', async () => {
    await kubectl(['run', 'web-pod', '--image=nginx:1.27', '--port=8080', '-l', 'app=web-pod', '-n', NS]);
    assert.equal((await kubectl(['expose', 'pod', 'web-pod', '--port=80', '--target-port=8080', '-n', NS])).trim(), 'service/web-pod exposed');
    const out = await kubectl(['get', 'svc', 'web-pod', '-n', NS, '-o', 'wide']);
    assert.match(out, /^web-pod\s+ClusterIP\s+172\.30\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s\s+app=web-pod$/m);
  });

  it('kubectl apply of a headless Service (clusterIP: None) allocates nothing', async () => {
    const manifest = [
      'apiVersion: v1', 'kind: Service', 'metadata:', '  name: mysubdomain', `  namespace: ${NS}`, 'spec:', '  type: ClusterIP',
      '  selector:', '    tier: backend', '  clusterIP: None', '  ports:', '  - protocol: TCP', '    port: 1234', '    targetPort: 1234', '',
    ].join('\n');
    assert.equal((await kubectl(['apply', '-f', '-'], manifest)).trim(), 'service/mysubdomain created');
    assert.match(await kubectl(['get', 'svc', 'mysubdomain', '-n', NS]), /^mysubdomain\s+ClusterIP\s+None\s+<none>\s+1234\/TCP\s/m);
    assert.deepEqual(svc('mysubdomain').clusterIPs, ['None']);
    assert.equal((await kubectl(['apply', '-f', '-'], manifest)).trim(), 'service/mysubdomain unchanged');
  });

  it('an update keeps the address; a type change allocates and releases node ports', async () => {
    await kubectl(['apply', '-f', '-'], service('app', { selector: { app: 'app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    const ip = svc('app').clusterIP;
    assert.equal((await kubectl(['apply', '-f', '-'], service('app', { selector: { app: 'app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { app: 'app', tier: 'fe' }))).trim(), 'service/app configured');
    assert.equal(svc('app').clusterIP, ip);

    await kubectl(['patch', 'svc', 'app', '-n', NS, '-p', '{"spec":{"type":"NodePort"}}']);
    const np = svc('app').ports[0].nodePort as number;
    assert.ok(np >= 30000, `node port ${np}`);
    assert.equal(svc('app').clusterIP, ip);
    assert.match(await kubectl(['get', 'svc', 'app', '-n', NS]), new RegExp(`^app\\s+NodePort\\s+${ip.replaceAll('.', '\\.')}\\s+<none>\\s+80:${np}/TCP\\s`, 'm'));

    // Back to ClusterIP: the node port left in the object is wiped, not refused, and freed.
    await kubectl(['patch', 'svc', 'app', '-n', NS, '-p', '{"spec":{"type":"ClusterIP"}}']);
    assert.match(await kubectl(['get', 'svc', 'app', '-n', NS]), /^app\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s/m);
    assert.equal(svc('app').ports[0].nodePort, undefined);
    await kubectl(['create', 'service', 'nodeport', 'reuse', '--tcp=80', `--node-port=${np}`, '-n', NS]);
    assert.equal(svc('reuse').ports[0].nodePort, np);

    // ExternalName gives the address back.
    await kubectl(['patch', 'svc', 'app', '-n', NS, '-p', '{"spec":{"type":"ExternalName","externalName":"app.example.com"}}']);
    assert.equal(svc('app').clusterIP, undefined);
    await kubectl(['create', 'service', 'clusterip', 'takes-ip', `--clusterip=${ip}`, '--tcp=80', '-n', NS]);
    assert.equal(svc('takes-ip').clusterIP, ip);
  });

  it('a Route without a host gets <name>-<namespace>.<ingress domain>, and the router admits it', async () => {
    const cfg = JSON.parse(await kubectl(['get', 'ingresses.config.openshift.io', 'cluster', '-o', 'json']));
    assert.equal(cfg.spec.domain, 'apps.ocp4.example.com');
    assert.equal(cfg.status.defaultPlacement, 'Workers');

    assert.equal((await kubectl(['apply', '-f', '-'], route('frontend', {}))).trim(), 'route.route.openshift.io/frontend created');
    await sim.advance(0);
    const r = routeObj('frontend');
    assert.equal((r.spec as J).host, 'frontend-lab.apps.ocp4.example.com');
    assert.equal(r.metadata.annotations?.['openshift.io/host.generated'], 'true');
    const ingress = (r.status as J).ingress;
    assert.equal(ingress.length, 1);
    assert.deepEqual({ ...ingress[0], conditions: undefined }, {
      host: 'frontend-lab.apps.ocp4.example.com', routerName: 'default', wildcardPolicy: 'None',
      routerCanonicalHostname: 'router-default.apps.ocp4.example.com', conditions: undefined,
    });
    assert.deepEqual(ingress[0].conditions.map((c: J) => ({ ...c, lastTransitionTime: typeof c.lastTransitionTime })), [{ type: 'Admitted', status: 'True', lastTransitionTime: 'string' }]);
    const out = await kubectl(['get', 'route', 'frontend', '-n', NS]);
    assert.match(out, /^NAME\s+HOST\/PORT\s+PATH\s+SERVICES\s+PORT\s+TERMINATION\s+WILDCARD\n/);
    assert.match(out, /^frontend\s+frontend-lab\.apps\.ocp4\.example\.com\s+web\s+<all>\s+None\n$/m);

    // Dots in the name become dashes.
    await kubectl(['apply', '-f', '-'], route('api.v1', {}));
    assert.equal((routeObj('api.v1').spec as J).host, 'api-v1-lab.apps.ocp4.example.com');
  });

  it('a newer Route for a claimed host is rejected with HostAlreadyClaimed until the older one is gone', async () => {
    const host = 'frontend-lab.apps.ocp4.example.com';
    await kubectl(['create', 'namespace', 'other']);
    await sim.advance(1);
    await kubectl(['apply', '-f', '-'], route('frontend-copy', { host }));
    await sim.advance(1);
    await kubectl(['apply', '-f', '-'], route('thief', { host }, 'other'));
    await sim.advance(0);

    const cond = (name: string, ns = NS): J => (routeObj(name, ns).status as J).ingress[0].conditions[0];
    assert.deepEqual({ ...cond('frontend-copy'), lastTransitionTime: undefined }, {
      type: 'Admitted', status: 'False', reason: 'HostAlreadyClaimed',
      message: `route frontend already exposes ${host} and is older`, lastTransitionTime: undefined,
    });
    assert.equal(cond('thief', 'other').message, `a route in another namespace holds ${host} and is older than thief`);
    assert.match(await kubectl(['get', 'route', 'frontend-copy', '-n', NS]), /^frontend-copy\s+HostAlreadyClaimed\s+web\s+<all>\s+None\n$/m);
    assert.match(await kubectl(['get', 'route', 'frontend', '-n', NS]), new RegExp(`^frontend\\s+${host.replaceAll('.', '\\.')}\\s`, 'm'));

    // Status is written only when it changes.
    const rv = routeObj('frontend-copy').metadata.resourceVersion;
    await sim.advance(30);
    assert.equal(routeObj('frontend-copy').metadata.resourceVersion, rv);

    await kubectl(['delete', 'route', 'frontend', '-n', NS]);
    await sim.advance(0);
    assert.equal(cond('frontend-copy').status, 'True');
    assert.equal(cond('frontend-copy').reason, undefined);
    assert.match(await kubectl(['get', 'route', 'frontend-copy', '-n', NS]), new RegExp(`^frontend-copy\\s+${host.replaceAll('.', '\\.')}\\s+web\\s`, 'm'));
    // The route of the other namespace is still behind an older one.
    assert.equal(cond('thief', 'other').status, 'False');
    assert.match(await kubectl(['get', 'route', '-A']), /^other\s+thief\s+HostAlreadyClaimed\s/m);
  });

  it('a Route in the owning namespace with another path shares the host', async () => {
    const host = 'frontend-lab.apps.ocp4.example.com';
    await sim.advance(1);
    await kubectl(['apply', '-f', '-'], route('frontend-api', { host, path: '/api' }));
    await sim.advance(0);
    assert.equal((routeObj('frontend-api').status as J).ingress[0].conditions[0].status, 'True');
    assert.match(await kubectl(['get', 'route', 'frontend-api', '-n', NS]), new RegExp(`^frontend-api\\s+${host.replaceAll('.', '\\.')}\\s+/api\\s+web\\s`, 'm'));
  });
});
