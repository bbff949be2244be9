// The external proxy with the real curl binary, as a student uses it from
// the shell: http_proxy (or -x) pointed at it, a Route host answered by a VM
// behind the router, a cookie jar (-c/-b) that keeps the client on one VM,
// cluster IPs refused with the proxy's 502 text, CONNECT to an edge route.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { startSim, type Sim } from './harness.ts';
import { kubectlOk, vmManifest } from '../scenarios/fixtures.ts';

const run = promisify(execFile);
const HOST = 'web-default.apps.ocp4.example.com';

interface Curl {
  code: number;
  stdout: string;
  stderr: string;
}

describe('external proxy with curl', () => {
  let sim: Sim;

  /** curl with the proxy in http_proxy, as the student's env file sets it. */
  const curl = async (args: string[], env: Record<string, string> = {}): Promise<Curl> => {
    try {
      const r = await run('curl', args, { env: { PATH: process.env.PATH ?? '', HOME: sim.dir, http_proxy: sim.proxyUrl, no_proxy: '127.0.0.1,localhost', ...env } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const vmOf = (body: string): string => /Hello from (web-\d)/.exec(body)?.[1] ?? `<${body.slice(0, 60)}>`;

  before(async () => {
    sim = await startSim({ workers: 2, controlPlanes: 1 });
    for (const name of ['web-1', 'web-2']) {
      const vm = vmManifest(name, 'Always', {
        image: 'quay.io/virtlab/webserver:latest',
        extra: { readinessProbe: { httpGet: { port: 8080, path: '/health' }, periodSeconds: 5, failureThreshold: 3 } },
      });
      (vm.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.tier = 'frontend';
      await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify(vm));
    }
    await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { tier: 'frontend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    }));
    await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'web', namespace: 'default' },
      spec: { to: { kind: 'Service', name: 'web' }, port: { targetPort: 'http' } },
    }));
    await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'secure', namespace: 'default' },
      spec: { to: { kind: 'Service', name: 'web' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } },
    }));
    await sim.advance(120);
    const eps = await kubectlOk(sim, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].conditions.ready}']);
    assert.equal(eps.trim(), 'true true', 'both VMs ready behind the Service');
  });
  after(async () => { await sim.close(); });

  it('writes the proxy into the kubeconfig, and kubectl and client-node still load it', async () => {
    const kc = readFileSync(sim.kubeconfig, 'utf8');
    assert.match(kc, new RegExp(`extensions:\\n\\s+- name: virtlab\\.dev/embedded\\n\\s+extension:\\n\\s+externalProxy: ${sim.proxyUrl.replace(/\./g, '\\.')}`));
    const view = await kubectlOk(sim, ['config', 'view', '-o', 'jsonpath={.clusters[0].cluster.extensions[0].extension.externalProxy}']);
    assert.equal(view, sim.proxyUrl);
    assert.match(await kubectlOk(sim, ['get', 'route', 'web']), new RegExp(`^web\\s+${HOST.replace(/\./g, '\\.')}\\s+web\\s+http\\s`, 'm'));
    const config = new KubeConfig();
    config.loadFromFile(sim.kubeconfig);
    assert.equal(config.getCurrentCluster()?.server, sim.api.url);
  });

  it('answers a Route host through http_proxy, balancing over both VMs without cookies', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await curl(['-sS', `http://${HOST}/`]);
      assert.equal(r.code, 0, r.stderr);
      seen.add(vmOf(r.stdout));
    }
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  it('keeps a client with a cookie jar on one VM, and curl -i shows what HAProxy sends', async () => {
    const jar = join(sim.dir, 'cookies.txt');
    const first = await curl(['-sS', '-i', '-c', jar, '-b', jar, `http://${HOST}/`]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(first.stdout, /\r\nset-cookie: [0-9a-f]{32}=[0-9a-f]{32}; path=\/; HttpOnly\r\n/);
    assert.match(first.stdout, /\r\ncache-control: private\r\n/);
    assert.doesNotMatch(first.stdout, /\r\n(via|connection|keep-alive):/i);
    const vm = vmOf(first.stdout);
    for (let i = 0; i < 8; i++) {
      const r = await curl(['-sS', '-c', jar, '-b', jar, '-x', sim.proxyUrl, `http://${HOST}/`], { http_proxy: '' });
      assert.equal(vmOf(r.stdout), vm);
    }
    assert.match(readFileSync(jar, 'utf8'), new RegExp(`${HOST.replace(/\./g, '\\.')}\\tFALSE\\t/\\tFALSE\\t0\\t[0-9a-f]{32}\\t[0-9a-f]{32}`));
  });

  it('refuses a cluster IP with a 502 that says it is not reachable from outside', async () => {
    const ip = (sim.cluster.store.get('services', 'default', 'web')!.spec as { clusterIP: string }).clusterIP;
    const r = await curl(['-sS', '-i', `http://${ip}/`]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.match(r.stdout, new RegExp(`${ip.replace(/\./g, '\\.')} is the cluster IP of Service default/web; cluster IPs are not reachable from outside the cluster\\. .*oc expose service web -n default`));
    const failed = await curl(['-sS', '-f', `http://${ip}/`]);
    assert.equal(failed.code, 22);
    assert.match(failed.stderr, /The requested URL returned error: 502/);
  });

  it('redirects plain HTTP to an edge route and serves it over CONNECT with TLS', async () => {
    const secureHost = 'secure-default.apps.ocp4.example.com';
    const redirect = await curl(['-sS', '-i', `http://${secureHost}/health`]);
    assert.match(redirect.stdout, /^HTTP\/1\.1 302 Found\r\n/);
    assert.match(redirect.stdout, new RegExp(`\\r\\nlocation: https://${secureHost.replace(/\./g, '\\.')}/health\\r\\n`));
    const r = await curl(['-sS', '-k', '-i', '-x', sim.proxyUrl, `https://${secureHost}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.stdout, /\r\nset-cookie: [0-9a-f]{32}=[0-9a-f]{32}; path=\/; HttpOnly; Secure; SameSite=None\r\n/);
    assert.match(vmOf(r.stdout), /^web-\d$/);
    const refused = await curl(['-sS', '-k', '-x', sim.proxyUrl, 'https://web.default.svc.cluster.local/']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /CONNECT tunnel failed, response 502/);
  });
});
