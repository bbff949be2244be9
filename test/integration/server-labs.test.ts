// Labs through the web platform against embedded clusters on a manual clock:
// Start / Grade / Finish from the page and `lab` from the shell run the CLI's
// code on the student's own cluster and store the same records; the shell's
// grade reaches the page's event stream; kubectl with the student's
// kubeconfig changes that cluster only; another student's ids get nothing;
// the instructor sees progress per step, the gradebook CSV and topologies.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { GradeReport } from '../../graders/sdk/types.ts';
import type { EmbeddedClusterProvider } from '../../server/embedded-clusters.ts';
import type { Topology } from '../../server/topology.ts';
import { kubectlWith as kubectl } from './harness.ts';
import { classroom, type ApiClient, startTestServer, type TestServer } from './server-harness.ts';

type Student = ApiClient & { id: number };
interface Answer { exitCode: number; output: string; report?: GradeReport; run?: { id: number } }

/** Reads server-sent events until one of `type` arrives. */
async function nextEvent(base: string, cookies: Map<string, string>, type: string, trigger: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, signal: ac.signal });
  const reader = res.body!.getReader();
  let buf = '';
  const read = async (): Promise<Record<string, unknown>> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended');
      buf += Buffer.from(value).toString('utf8');
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i < 0) break;
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev === type && data) return JSON.parse(data) as Record<string, unknown>;
      }
    }
  };
  const got = read();
  await trigger();
  try {
    return await got;
  } finally {
    ac.abort();
  }
}

describe('labs through the web platform', () => {
  let t: TestServer;
  let instructor: ApiClient;
  let ada: Student;
  let bob: Student;
  let provider: EmbeddedClusterProvider;

  before(async () => {
    t = await startTestServer();
    const c = await classroom(t.server.url, ['ada', 'bob']);
    instructor = c.instructor;
    ada = c.students.get('ada')!;
    bob = c.students.get('bob')!;
    provider = t.server.ctx.provider as EmbeddedClusterProvider;
  });
  after(async () => { await t.close(); });

  it('lists the labs and shows a lab page with its chapter and steps', async () => {
    const list = await ada.get<{ labs: { id: string; steps: unknown[] }[] }>('/api/labs');
    assert.deepEqual(list.body.labs.map((l) => l.id), ['fixture-web']);
    const page = await ada.get<{ chapter: string; steps: { id: string; progress: unknown }[]; lab: { title: string } }>('/api/labs/fixture-web');
    assert.equal(page.body.lab.title, 'Fixture web VM');
    assert.match(page.body.chapter, /\S/);
    assert.deepEqual(page.body.steps.map((s) => [s.id, s.progress]), [['run', null], ['configure', null], ['recover', null]]);
    assert.equal((await ada.get('/api/labs/no-such-lab')).status, 404);
    assert.equal((await ada.get('/api/topology')).status, 404, 'no cluster before the first start');
  });

  it('starts the lab on a cluster of the student\'s own and grades it like the CLI', async () => {
    const start = await ada.post<Answer>('/api/labs/fixture-web/start');
    assert.equal(start.status, 200);
    assert.equal(start.body.exitCode, 0, start.body.output);
    assert.match(start.body.output, /namespace\/fixture-web created/);
    assert.match(start.body.output, /Lab fixture-web is ready/);
    const again = await ada.post<Answer>('/api/labs/fixture-web/start');
    assert.match(again.body.output, /Lab fixture-web was already started: nothing changed\./);

    const grade = await ada.post<Answer>('/api/labs/fixture-web/grade', { behavioural: false });
    assert.equal(grade.body.exitCode, 1);
    assert.match(grade.body.output, /^FAIL  \[0\/2\] vm-running {2}VM web runs — VirtualMachine fixture-web\/web has runStrategy Halted, expected Always$/m);
    assert.match(grade.body.output, /^SKIP  \[-\/2\] vm-recovers/m);
    assert.match(grade.body.output, /^Score: 0\/3 \(0%\), 1 check skipped$/m);
    assert.equal(grade.body.report?.schema, 'virtlab.dev/grade-report/v1');
    const page = await ada.get<{ steps: { id: string; progress: { status: string } | null }[] }>('/api/labs/fixture-web');
    assert.deepEqual(page.body.steps.map((s) => [s.id, s.progress?.status ?? null]), [['run', 'failed'], ['configure', 'failed'], ['recover', 'skipped']]);
    const bad = await ada.post('/api/labs/fixture-web/grade', { checks: ['nope'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.field, 'checks');
  });

  it('lets kubectl with the student\'s kubeconfig work on that cluster, and the topology show it', async () => {
    const ws = (await t.server.ctx.workspaces.ofUser(ada.id))!;
    const file = join(t.dir, 'ada.kubeconfig');
    writeFileSync(file, await provider.kubeconfigFor(ws));
    const patch = await kubectl(file, ['patch', 'vm', 'web', '-n', 'fixture-web', '--type', 'merge', '-p', '{"spec":{"runStrategy":"Always"}}']);
    assert.equal(patch.code, 0, patch.stderr);
    const cm = await kubectl(file, ['patch', 'configmap', 'settings', '-n', 'fixture-web', '--type', 'merge', '-p', '{"data":{"mode":"ha"}}']);
    assert.equal(cm.code, 0, cm.stderr);
    await provider.clusterOf(ws)!.advance(90);
    const topo = await ada.get<Topology>('/api/topology');
    const vmi = topo.body.vmis.find((v) => v.name === 'web');
    assert.equal(vmi?.phase, 'Running');
    assert.ok(topo.body.nodes.some((n) => n.name === vmi?.node && n.ready), 'the VMI runs on a Ready node');
    assert.deepEqual(topo.body.vms.map((v) => [v.name, v.runStrategy]), [['web', 'Always']]);
    // Bob has no cluster, and Ada's token reaches nobody else's.
    assert.equal((await bob.get('/api/topology')).status, 404);
    assert.equal(provider.host.authenticate(`Bearer ${ws.state.studentToken as string}`)?.cluster, provider.clusterOf(ws));
  });

  it('runs `lab grade` from the shell with the CLI\'s flags, stores it and tells the page', async () => {
    const access = await t.server.shellAccess({ id: ada.id, username: 'ada', displayName: 'ada', role: 'student', createdAt: '' });
    assert.match(access.cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(access.proxy, 'the cluster\'s external proxy');
    const shell = (method: string, path: string, body?: unknown, token = access.shellApi.token) => fetch(`${t.server.url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    }).then(async (r) => ({ status: r.status, body: await r.json() as Answer }));

    const list = await shell('GET', '/api/shell/labs');
    assert.equal(list.body.exitCode, 0);
    assert.match(list.body.output, /^ID +KIND +TITLE +MINUTES\nfixture-web +guided-exercise +Fixture web VM +5\n$/);

    const event = await nextEvent(t.server.url, ada.cookies, 'grade', async () => {
      const g = await shell('POST', '/api/shell/labs/fixture-web/grade', { args: ['--no-behavioural'] });
      assert.equal(g.body.exitCode, 0, g.body.output);
      assert.match(g.body.output, /^PASS  \[2\/2\] vm-running/m);
      assert.match(g.body.output, /^Score: 3\/3 \(100%\), 1 check skipped$/m);
    });
    assert.equal((event.run as { score: number; source: string }).score, 3);
    assert.equal((event.run as { source: string }).source, 'shell');

    const usage = await shell('POST', '/api/shell/labs/fixture-web/grade', { args: ['--check', 'nope'] });
    assert.equal(usage.body.exitCode, 2);
    assert.match(usage.body.output, /^error: lab fixture-web has no check "nope"/);
    const junit = await shell('POST', '/api/shell/labs/fixture-web/grade', { args: ['--junit', '/tmp/x.xml'] });
    assert.equal(junit.body.exitCode, 2);
    assert.match(junit.body.output, /--junit is not available here/);
    const unknown = await shell('POST', '/api/shell/labs/fixture-web/grade', { args: ['--frobnicate'] });
    assert.equal(unknown.body.exitCode, 2);
    assert.match(unknown.body.output, /unknown option '--frobnicate'/);
    assert.equal((await shell('GET', '/api/shell/labs', undefined, 'vls_forged')).status, 401);
    // Jails reach the same API over the server's unix socket.
    assert.equal(access.shellApi.socket, t.server.socketPath);
    const viaSocket = await new Promise<Answer>((resolve, reject) => {
      const req = request({ socketPath: t.server.socketPath!, path: '/api/shell/labs', headers: { authorization: `Bearer ${access.shellApi.token}` } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve(JSON.parse(text) as Answer));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(viaSocket.output, list.body.output);

    const history = await ada.get<{ grades: { score: number; source: string; id: number }[] }>('/api/labs/fixture-web/grades');
    assert.deepEqual(history.body.grades.map((g) => [g.source, g.score]), [['shell', 3], ['web', 0]]);
    const run = await ada.get<{ report: GradeReport }>(`/api/labs/fixture-web/grades/${history.body.grades[0].id}`);
    assert.equal(run.body.report.checks.find((c) => c.id === 'mode-set')?.status, 'PASS');
    // Another student asking for Ada's run learns nothing.
    assert.equal((await bob.get(`/api/labs/fixture-web/grades/${history.body.grades[0].id}`)).status, 404);
    assert.deepEqual((await bob.get<{ grades: unknown[] }>('/api/labs/fixture-web/grades')).body.grades, []);
  });

  it('shows the instructor the class progress, the gradebook CSV and any student\'s topology', async () => {
    const progress = await instructor.get<{ students: { username: string; labs: Record<string, { steps: Record<string, string>; runs: number; startedAt?: string }> }[] }>('/api/instructor/progress');
    const adaRow = progress.body.students.find((s) => s.username === 'ada')!;
    assert.deepEqual(adaRow.labs['fixture-web'].steps, { run: 'passed', configure: 'passed', recover: 'skipped' });
    assert.equal(adaRow.labs['fixture-web'].runs, 2);
    assert.ok(adaRow.labs['fixture-web'].startedAt);
    assert.deepEqual(progress.body.students.find((s) => s.username === 'bob')!.labs, {});

    const csv = await instructor.get('/api/instructor/gradebook.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'username,display_name,fixture-web score,fixture-web max,fixture-web passed,fixture-web graded_at,fixture-web runs');
    assert.match(lines[1], /^ada,ada,3,3,yes,\d{4}-\d\d-\d\dT[^,]+,2$/);
    assert.equal(lines[2], 'bob,bob,,,,,0');

    const topo = await instructor.get<Topology>(`/api/instructor/students/${ada.id}/topology`);
    assert.equal(topo.body.vmis[0]?.name, 'web');
    assert.equal((await instructor.get(`/api/instructor/students/${bob.id}/topology`)).status, 404);
    assert.equal((await instructor.get('/api/instructor/students/9999/topology')).status, 404);
    const grades = await instructor.get<{ grades: unknown[] }>(`/api/instructor/students/${ada.id}/grades?lab=fixture-web`);
    assert.equal(grades.body.grades.length, 2);
  });

  it('finishes the lab from the page: the namespace goes, the record says so', async () => {
    const fin = await ada.post<Answer>('/api/labs/fixture-web/finish');
    assert.equal(fin.body.exitCode, 0, fin.body.output);
    assert.match(fin.body.output, /Lab fixture-web is cleaned up\./);
    const page = await ada.get<{ state: { finishedAt?: string } }>('/api/labs/fixture-web');
    assert.ok(page.body.state.finishedAt);
    const bobFinish = await bob.post<Answer>('/api/labs/fixture-web/finish');
    assert.match(bobFinish.body.output, /Lab fixture-web: nothing to clean up\./);
    const bobGrade = await bob.post<Answer>('/api/labs/fixture-web/grade');
    assert.equal(bobGrade.body.exitCode, 1);
    assert.match(bobGrade.body.output, /^error: lab fixture-web is not started/);
  });
});
