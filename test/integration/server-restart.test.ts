// `lab serve` killed with SIGKILL in the middle of a lab and started again on
// the same data folder: the student's cluster (a VM started through the
// student's kubeconfig, still the same running instance), the lab progress,
// the grades, the login session and the old kubeconfig token are all there.
// The server runs as a child process on a real clock at time scale 20.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../../server/db.ts';
import { kubeconfigYaml } from '../../sandbox/sim/kubeconfig.ts';
import type { Topology } from '../../server/topology.ts';
import { kubectlWith as kubectl } from './harness.ts';
import { ApiClient, FIXTURE_LABS } from './server-harness.ts';

const LAB_BIN = fileURLToPath(new URL('../../bin/lab.mjs', import.meta.url));

interface Served {
  child: ChildProcess;
  url: string;
  output(): string;
}

function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [LAB_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--labs-dir', FIXTURE_LABS, '--admin-password', 'instructor-pass-1', '--time-scale', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lab serve did not get ready:\n${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /^ready: (http:\/\/\S+)/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`lab serve exited (${code}):\n${out}`)); });
  });
}

/** Polls the topology (the server runs on a real clock) until the VMI is Running. */
async function untilRunning(c: ApiClient, timeoutMs = 30_000): Promise<Topology['vmis'][number]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await c.get<Topology>('/api/topology');
    const vmi = t.status === 200 ? t.body.vmis.find((v) => v.name === 'web') : undefined;
    if (vmi?.phase === 'Running') return vmi;
    if (Date.now() > end) throw new Error(`VMI web is not Running: ${JSON.stringify(t.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a server restart after kill -9', () => {
  let dir: string;
  let served: Served | undefined;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'virtlab-restart-')); });
  after(() => {
    served?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the cluster, the progress, the grades, the session and the kubeconfig token', async () => {
    const dataDir = join(dir, 'data');
    served = await serve(dataDir);
    const admin = new ApiClient(served.url);
    assert.equal((await admin.login('admin', 'instructor-pass-1')).status, 200);
    assert.equal((await admin.post('/api/users', { username: 'ada', password: 'ada-password' })).status, 201);
    const ada = new ApiClient(served.url);
    assert.equal((await ada.login('ada', 'ada-password')).status, 200);
    const start = await ada.post<{ exitCode: number; output: string }>('/api/labs/fixture-web/start');
    assert.equal(start.body.exitCode, 0, start.body.output);

    // The student's kubeconfig, as the shells get it: the token and the API endpoint are in the database.
    const db = await Database.open(join(dataDir, 'virtlab.db'));
    const state = JSON.parse((await db.get<{ state: string }>("SELECT w.state FROM workspaces w JOIN users u ON u.id = w.user_id WHERE u.username = 'ada'"))!.state) as { studentToken: string };
    const port = (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'embedded_api_port'"))!.value;
    const cert = JSON.parse((await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'embedded_api_certificate'"))!.value) as { certPem: string };
    await db.close();
    const kubeconfig = join(dir, 'ada.kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server: `https://127.0.0.1:${port}`, token: state.studentToken, caPem: cert.certPem }));

    for (const args of [
      ['patch', 'vm', 'web', '-n', 'fixture-web', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}'],
      ['patch', 'configmap', 'settings', '-n', 'fixture-web', '--type', 'merge', '-p', '{"data":{"mode":"ha"}}'],
    ]) {
      const r = await kubectl(kubeconfig, args);
      assert.equal(r.code, 0, r.stderr);
    }
    await untilRunning(ada);
    const uid = (await kubectl(kubeconfig, ['get', 'vmi', 'web', '-n', 'fixture-web', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    assert.match(uid, /^[0-9a-f-]{36}$/);
    const grade = await ada.post<{ exitCode: number; output: string }>('/api/labs/fixture-web/grade', { behavioural: false });
    assert.equal(grade.body.exitCode, 0, grade.body.output);

    served.child.kill('SIGKILL');
    await new Promise((r) => served!.child.once('exit', r));
    served = await serve(dataDir);
    ada.base = served.url;

    // The login session survived; the cluster answers the old token on the old port.
    const vmi = await untilRunning(ada);
    assert.ok(vmi.node);
    const after = await kubectl(kubeconfig, ['get', 'vmi', 'web', '-n', 'fixture-web', '-o', 'jsonpath={.metadata.uid} {.status.phase}']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, `${uid} Running`, 'the same instance still runs');
    const cm = await kubectl(kubeconfig, ['get', 'configmap', 'settings', '-n', 'fixture-web', '-o', 'jsonpath={.data.mode}']);
    assert.equal(cm.stdout, 'ha');

    const grades = await ada.get<{ grades: { score: number; maxScore: number }[] }>('/api/labs/fixture-web/grades');
    assert.deepEqual(grades.body.grades.map((g) => [g.score, g.maxScore]), [[3, 3]]);
    const page = await ada.get<{ steps: { id: string; progress: { status: string } | null }[]; state: { startedAt?: string } }>('/api/labs/fixture-web');
    assert.deepEqual(page.body.steps.map((s) => s.progress?.status ?? null), ['passed', 'passed', 'skipped']);
    assert.ok(page.body.state.startedAt);
    const again = await ada.post<{ exitCode: number; output: string }>('/api/labs/fixture-web/grade', { behavioural: false });
    assert.equal(again.body.exitCode, 0, again.body.output);
    assert.match(again.body.output, /^Score: 3\/3/m);
  });
});
