// connect(): the kubeconfig found like kubectl finds it, the context chosen,
// capabilities from discovery, the embedded cluster's extension (time scale,
// external proxy) and the proxy's precedence; connectInProcess(): cluster
// time that advances a manual clock.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { connect, connectInProcess } from '../../graders/sdk/connection.ts';
import { startSim, type Sim } from './harness.ts';

/** A stand-in for the external proxy: answers every request with the port it listens on. */
async function fakeProxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.end(`proxy ${(server.address() as { port: number }).port}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('connecting to a cluster', () => {
  let sim: Sim;
  let proxyA: Awaited<ReturnType<typeof fakeProxy>>;
  let proxyB: Awaited<ReturnType<typeof fakeProxy>>;
  let embedded: string;
  /** The harness kubeconfig without its embedded extension: the cluster as a real one looks. */
  let plain: string;

  before(async () => {
    sim = await startSim({ workers: 1, controlPlanes: 1 });
    proxyA = await fakeProxy();
    proxyB = await fakeProxy();
    const kc = parse(readFileSync(sim.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    kc.clusters[0].cluster.extensions = [{ name: 'virtlab.dev/embedded', extension: { externalProxy: proxyA.url, timeScale: 50 } }];
    embedded = join(sim.dir, 'embedded-kubeconfig');
    writeFileSync(embedded, stringify(kc));
    delete kc.clusters[0].cluster.extensions;
    plain = join(sim.dir, 'plain-kubeconfig');
    writeFileSync(plain, stringify(kc));
  });
  after(async () => {
    proxyA.server.close();
    proxyB.server.close();
    await sim.close();
  });

  it('finds capabilities in discovery; without the extension the cluster is not "embedded" and time runs at 1x', async () => {
    const conn = await connect({ kubeconfig: plain, env: {} });
    assert.equal(conn.server, sim.api.url);
    assert.deepEqual([...conn.capabilities].sort(), ['faults', 'kubevirt', 'machine-api', 'metallb', 'routes']);
    const t0 = conn.time.now();
    assert.ok(Math.abs(t0 - Date.now()) < 50);
  });

  it('reads the embedded extension: capability, time scale and external proxy', async () => {
    const conn = await connect({ kubeconfig: embedded, env: {} });
    assert.ok(conn.capabilities.has('embedded'));
    const wall = Date.now();
    const t0 = conn.time.now();
    await conn.time.sleep(2); // 2 cluster seconds at 50x: 40 ms of wall time
    const wallMs = Date.now() - wall;
    assert.ok(wallMs >= 35 && wallMs < 1000, `slept ${wallMs} ms`);
    assert.ok(conn.time.now() - t0 >= 1900, 'cluster time advanced by about 2 s');
    const r = await conn.http.request('http://web.apps.example.com/health');
    assert.equal(r.body, `proxy ${new URL(proxyA.url).port}`);
    assert.deepEqual(proxyA.seen, ['http://web.apps.example.com/health']);
  });

  it('takes the proxy from the flag, then VIRTLAB_PROXY, then the extension', async () => {
    const portA = new URL(proxyA.url).port;
    const portB = new URL(proxyB.url).port;
    let conn = await connect({ kubeconfig: embedded, env: { VIRTLAB_PROXY: proxyB.url } });
    assert.equal((await conn.http.request('http://a.example/')).body, `proxy ${portB}`);
    conn = await connect({ kubeconfig: embedded, env: { VIRTLAB_PROXY: proxyB.url }, proxy: proxyA.url });
    assert.equal((await conn.http.request('http://a.example/')).body, `proxy ${portA}`);
  });

  it('loads KUBECONFIG lists and ~/.kube/config like kubectl, and selects a context', async () => {
    const other = join(sim.dir, 'other-kubeconfig');
    writeFileSync(other, stringify({
      apiVersion: 'v1', kind: 'Config',
      clusters: [{ name: 'elsewhere', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'nobody', user: { token: 'x' } }],
      contexts: [{ name: 'elsewhere', context: { cluster: 'elsewhere', user: 'nobody' } }],
      'current-context': 'elsewhere',
    }));
    // The first file to set the current context wins.
    let conn = await connect({ env: { KUBECONFIG: `${join(sim.dir, 'missing')}:${sim.kubeconfig}:${other}` } });
    assert.equal(conn.server, sim.api.url);
    await assert.rejects(connect({ env: { KUBECONFIG: `${sim.kubeconfig}:${other}` }, context: 'elsewhere' }),
      /^ConnectionError: cannot reach the cluster at https:\/\/127\.0\.0\.1:1: connection refused \(is `lab sim` running\?\)$/);
    await assert.rejects(connect({ kubeconfig: sim.kubeconfig, context: 'nope', env: {} }), /context "nope" not found in kubeconfig \S+ \(contexts: virtlab\)/);
    // HOME/.kube/config when neither flag nor KUBECONFIG is given.
    const home = join(sim.dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    copyFileSync(sim.kubeconfig, join(home, '.kube', 'config'));
    conn = await connect({ env: { HOME: home } });
    assert.equal(conn.server, sim.api.url);
    await assert.rejects(connect({ env: { HOME: join(sim.dir, 'nohome') } }), /no kubeconfig: pass --kubeconfig, set KUBECONFIG, or write \S+\/nohome\/\.kube\/config/);
    await assert.rejects(connect({ kubeconfig: join(sim.dir, 'absent'), env: {} }), /kubeconfig \S+absent does not exist/);
  });

  it('in process: sleeping advances the manual clock, and without a proxy no request leaves the process', async () => {
    const conn = await connectInProcess({ cluster: sim.cluster, server: sim.api.url, token: sim.token, caPem: sim.api.caPem });
    assert.ok(conn.capabilities.has('embedded') && conn.capabilities.has('faults'));
    const t0 = sim.clock.now();
    await conn.time.sleep(90);
    assert.equal(sim.clock.now() - t0, 90_000);
    assert.equal(conn.time.now(), sim.clock.now());
    await assert.rejects(conn.http.request('http://web.apps.example.com/'), /^Error: GET http:\/\/web\.apps\.example\.com\/ failed: the embedded cluster's external data-plane proxy is not known/);
  });
});
