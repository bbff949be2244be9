// Thousands of malformed requests: the API server never crashes and every
// failure is a Kubernetes Status with a code and a reason.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startSim, type Sim } from './harness.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS = [
  '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods/x', '/api/v1/pods', '/api/v1/nodes/worker-0',
  '/api/v1/namespaces/default/pods/x/eviction', '/api/v1/namespaces/default/pods/x/log', '/api/v1/namespaces/default/pods/x/binding',
  '/apis/kubevirt.io/v1/namespaces/default/virtualmachines', '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm',
  '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm/status', '/apis/kubevirt.io/v1/namespaces/nope/virtualmachineinstances',
  '/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces', '/api/v1/namespaces/default', '/api/v1/namespaces/default/status',
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '/api/v1/namespaces/default/serviceaccounts/default/token',
  '/apis', '/api', '/apis/nope/v9/things', '/openapi/v3/apis/kubevirt.io/v1', '/%ff%fe', '/api/v1/namespaces/%00/pods',
  '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools', '/apis/route.openshift.io/v1/namespaces/default/routes',
];
const CONTENT_TYPES = [
  'application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json',
  'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', '', 'application/json; charset=utf-8',
];
const QUERIES = ['', '?labelSelector=a%20in%20(', '?fieldSelector=spec.nodeName%3D%3Dx,,', '?limit=-1', '?continue=%%%', '?dryRun=Sometimes',
  '?fieldValidation=Loose', '?fieldManager=' + 'm'.repeat(200), '?labelSelector=!!a', '?fieldSelector=bogus.field=1', '?resourceVersion=abc&watch=false',
  '?gracePeriodSeconds=-5', '?force=true', '?fieldValidation=Strict', '?tailLines=x&follow=false'];

function body(rand: () => number): Buffer {
  const kind = Math.floor(rand() * 9);
  switch (kind) {
    case 0: return Buffer.alloc(0);
    case 1: return Buffer.from('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}');
    case 2: return Buffer.from('[{"op":"replace","path":"/spec/nope/deep","value":1}]');
    case 3: return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...Array.from({ length: 40 }, () => Math.floor(rand() * 256))]);
    case 4: return Buffer.from(JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'Bad_Name!' }, spec: { running: 'yes', runStrategy: 7 } }));
    case 5: return Buffer.from(':\n  - : [\n');
    case 6: return Buffer.from(JSON.stringify({ metadata: { name: 'x'.repeat(300), labels: { 'bad key': 'v' } }, spec: null }));
    case 7: return Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
    default: return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' + Math.floor(rand() * 5) }, spec: { finalizers: [1, 2] } }));
  }
}

let ca = '';

function send(url: string, token: string, method: string, path: string, ct: string, payload: Buffer): Promise<{ code: number; body: string; ct: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method, ca, headers: { Authorization: `Bearer ${token}`, ...(ct ? { 'Content-Type': ct } : {}), 'Content-Length': payload.length } }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: data, ct: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`timeout on ${method} ${path}`)));
    req.end(payload);
  });
}

describe('malformed requests', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 1, controlPlanes: 1 }); ca = sim.api.caPem; });
  after(async () => { await sim.close(); });

  it('always get a Status, and the server keeps serving', async () => {
    const rand = prng(42);
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    let failures = 0;
    for (let i = 0; i < 2500; i++) {
      const method = methods[Math.floor(rand() * methods.length)];
      const path = PATHS[Math.floor(rand() * PATHS.length)] + QUERIES[Math.floor(rand() * QUERIES.length)];
      const ct = CONTENT_TYPES[Math.floor(rand() * CONTENT_TYPES.length)];
      const r = await send(sim.api.url, i % 50 === 0 ? 'wrong' : sim.token, method, path, ct, body(rand));
      assert.ok(r.code >= 200 && r.code < 600, `${method} ${path}: HTTP ${r.code}`);
      if (r.code >= 400) {
        failures++;
        let status: { kind?: string; code?: number; reason?: string; message?: string };
        try {
          status = JSON.parse(r.body);
        } catch {
          assert.fail(`${method} ${path} (${ct}) answered ${r.code} with a non-JSON body: ${r.body.slice(0, 200)}`);
        }
        assert.equal(status.kind, 'Status', `${method} ${path}: ${r.body.slice(0, 200)}`);
        assert.equal(status.code, r.code);
        assert.ok(status.message, `${method} ${path}: a Status without a message`);
        assert.notEqual(status.reason, 'InternalError', `${method} ${path} (${ct}): ${status.message}`);
      }
    }
    assert.ok(failures > 1000);
    const v = await send(sim.api.url, sim.token, 'GET', '/version', '', Buffer.alloc(0));
    assert.equal(v.code, 200);
  });

  it('refuses bodies over 3 MiB with 413', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 'a');
    const r = await send(sim.api.url, sim.token, 'POST', '/api/v1/namespaces/default/configmaps', 'application/json', big);
    assert.equal(r.code, 413);
    assert.equal(JSON.parse(r.body).reason, 'RequestEntityTooLarge');
  });

  it('answers 401 with a Status without a valid token', async () => {
    const r = await send(sim.api.url, 'nope', 'GET', '/api/v1/pods', '', Buffer.alloc(0));
    assert.equal(r.code, 401);
    assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
  });
});
