// The lab shell's oc (sandbox/shell/bin/oc) against the embedded cluster:
// Routes from `oc expose svc`, project switching written to the kubeconfig as
// oc writes it (and read back by the real kubectl), whoami, version, and
// everything else handed to kubectl with its exit code.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from './harness.ts';
import { runTool } from './shell-tools.ts';
import { kubectlOk } from '../scenarios/fixtures.ts';

const ROUTES = 'route.openshift.io/routes';

let sim: Sim;
const oc = (args: string[], o?: Parameters<typeof runTool>[3]) => runTool(sim, 'oc', args, o);
const route = (name: string, ns = 'default'): KubeObject | undefined => sim.cluster.store.get(ROUTES, ns, name);
/** host:port of the API server with dots as dashes: the cluster part of oc's context names. */
const nick = (): string => new URL(sim.api.url).host.replaceAll('.', '-');

function service(name: string, ports: Record<string, unknown>[], labels: Record<string, string> = { app: name }): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { selector: { app: name }, ports } });
}

before(async () => {
  sim = await startSim({ workers: 2, controlPlanes: 1 });
  await kubectlOk(sim, ['apply', '-f', '-'], service('web', [{ name: 'http', port: 80, targetPort: 8080 }], { app: 'web', tier: 'front' }));
  await kubectlOk(sim, ['apply', '-f', '-'], service('plain', [{ port: 80, targetPort: 8080 }]));
  await kubectlOk(sim, ['apply', '-f', '-'], service('dns', [{ name: 'dns', port: 53, protocol: 'UDP' }]));
});
after(async () => { await sim.close(); });

describe('oc expose svc', () => {
  it('creates a Route named after the service, to its first TCP port by name, with its labels', async () => {
    const r = await oc(['expose', 'svc/web']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'route.route.openshift.io/web exposed\n');
    const rt = route('web')!;
    const spec = rt.spec as { to: { kind: string; name: string }; port: { targetPort: unknown }; host?: string };
    assert.equal(spec.to.name, 'web');
    assert.equal(spec.to.kind, 'Service');
    assert.deepEqual(spec.port, { targetPort: 'http' });
    assert.deepEqual(rt.metadata.labels, { app: 'web', tier: 'front' });
  });

  it('uses the targetPort of an unnamed port, and --name, --hostname, --path, --port, -l', async () => {
    const r = await oc(['expose', 'service', 'plain']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((route('plain')!.spec as { port: unknown }).port, { targetPort: 8080 });
    const alt = await oc(['expose', 'service', 'web', '--name', 'web-api', '--hostname', 'web.apps.example.com', '--path', '/api', '--port', '8080', '-l', 'team=blue']);
    assert.equal(alt.code, 0, alt.stderr);
    assert.equal(alt.stdout, 'route.route.openshift.io/web-api exposed\n');
    const rt = route('web-api')!;
    const spec = rt.spec as { host: string; path: string; port: unknown; to: { name: string } };
    assert.equal(spec.host, 'web.apps.example.com');
    assert.equal(spec.path, '/api');
    assert.deepEqual(spec.port, { targetPort: 8080 });
    assert.equal(spec.to.name, 'web');
    assert.equal(rt.metadata.labels?.team, 'blue');
    assert.equal(rt.metadata.labels?.app, 'web');
  });

  it('answers in oc\'s words when the service is missing, UDP-only, already exposed or --type is given', async () => {
    const missing = await oc(['expose', 'svc/nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): services "nope" not found\n');
    const udp = await oc(['expose', 'svc/dns']);
    assert.equal(udp.code, 1);
    assert.equal(udp.stderr, 'error: service "dns" doesn\'t support TCP\n');
    const twice = await oc(['expose', 'svc/web']);
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, 'Error from server (AlreadyExists): routes.route.openshift.io "web" already exists\n');
    const typed = await oc(['expose', 'svc/plain', '--name', 'p2', '--type', 'NodePort']);
    assert.equal(typed.stderr, 'error: cannot use --type when exposing route\n');
    const client = await oc(['expose', 'svc/plain', '--name', 'p3', '--dry-run=client']);
    assert.equal(client.stdout, 'route.route.openshift.io/p3 exposed (dry run)\n');
    assert.equal(route('p3'), undefined);
  });
});

describe('oc project, projects, new-project', () => {
  it('shows the project of the current context', async () => {
    const r = await oc(['project']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Using project "default" from context named "virtlab" on server "${sim.api.url}".\n`);
    const q = await oc(['project', '-q']);
    assert.equal(q.stdout, 'default\n');
  });

  it('new-project creates the namespace and switches to it; kubectl follows', async () => {
    const r = await oc(['new-project', 'team1', '--display-name', 'Team One']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`Now using project "team1" on server "${sim.api.url}".\n`), r.stdout);
    const ns = sim.cluster.store.get('namespaces', undefined, 'team1')!;
    assert.equal(ns.metadata.annotations?.['openshift.io/display-name'], 'Team One');
    assert.equal(ns.metadata.annotations?.['openshift.io/requester'], 'kube:admin');
    const current = (await kubectlOk(sim, ['config', 'current-context'])).trim();
    assert.equal(current, `team1/${nick()}/kube:admin`);
    assert.equal(await kubectlOk(sim, ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}']), 'team1');
    const pods = await sim.kubectl(['get', 'pods']);
    assert.match(pods.stderr, /No resources found in team1 namespace/);
    const again = await oc(['new-project', 'team1']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error from server (AlreadyExists): project.project.openshift.io "team1" already exists\n');
  });

  it('switches between projects, and refuses one that does not exist', async () => {
    const r = await oc(['project', 'default']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Now using project "default" on server "${sim.api.url}".\n`);
    assert.equal((await kubectlOk(sim, ['config', 'current-context'])).trim(), `default/${nick()}/kube:admin`);
    const same = await oc(['project', 'default']);
    assert.equal(same.stdout, `Already on project "default" on server "${sim.api.url}".\n`);
    const shown = await oc(['project']);
    assert.equal(shown.stdout, `Using project "default" on server "${sim.api.url}".\n`);
    const nope = await oc(['project', 'nope']);
    assert.equal(nope.code, 1);
    assert.ok(nope.stderr.startsWith(`error: A project named "nope" does not exist on "${sim.api.url}".\nYour projects are:\n* default\n`), nope.stderr);
    assert.match(nope.stderr, /\n\* Team One \(team1\)\n/);
    assert.equal((await oc(['project', 'team1'])).stdout, `Now using project "team1" on server "${sim.api.url}".\n`, 'the team1 context is reused');
    const back = await oc(['project', 'virtlab']);
    assert.equal(back.stdout, `Now using project "default" from context named "virtlab" on server "${sim.api.url}".\n`, 'a context name switches to that context');
  });

  it('projects lists the namespaces and stars the current one', async () => {
    const r = await oc(['projects']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^You have access to the following projects and can switch between them with 'oc project <projectname>':\n\n/);
    assert.match(r.stdout, /\n {2}\* default\n/);
    assert.match(r.stdout, /\n {4}team1 - Team One\n/);
    assert.ok(r.stdout.endsWith(`\nUsing project "default" from context named "virtlab" on server "${sim.api.url}".\n`));
  });
});

describe('oc whoami and version', () => {
  it('whoami shows the user, server, context and token', async () => {
    assert.equal((await oc(['whoami'])).stdout, 'kube:admin\n');
    assert.equal((await oc(['whoami', '--show-server'])).stdout, `${sim.api.url}\n`);
    assert.equal((await oc(['whoami', '-c'])).stdout, 'virtlab\n');
    assert.equal((await oc(['whoami', '-t'])).stdout, `${sim.token}\n`);
    const bad = await oc(['whoami', '--token', 'wrong']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: You must be logged in to the server \(/);
  });

  it('version shows the client and the Kubernetes version', async () => {
    const r = await oc(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Client Version: 4\.\d+\.\d+\nKustomize Version: v[\d.]+\n(Server Version: .*\n)?Kubernetes Version: v1\.32\.\d+\n$/);
  });
});

describe('everything else is kubectl', () => {
  it('passes arguments, output and exit codes through', async () => {
    const nodes = await oc(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /^node\/worker-0$/m);
    const net = await oc(['get', 'network/cluster', '-o', 'jsonpath={.spec.networkType}']);
    assert.equal(net.code, 0, net.stderr);
    assert.equal(net.stdout, 'OVNKubernetes');
    const missing = await oc(['get', 'pod', 'nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
    const usage = await oc(['get']);
    assert.notEqual(usage.code, 0);
    const piped = await oc(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b' } }) });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, 'configmap/cm1 created\n');
  });

  it('oc adm cordon, uncordon and drain are kubectl\'s', async () => {
    const c = await oc(['adm', 'cordon', 'worker-1']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, 'node/worker-1 cordoned\n');
    assert.equal((sim.cluster.store.get('nodes', undefined, 'worker-1')!.spec as { unschedulable?: boolean }).unschedulable, true);
    const d = await oc(['adm', 'drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s'], { advanceEvery: 5 });
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /node\/worker-1 drained/);
    const u = await oc(['adm', 'uncordon', 'worker-1']);
    assert.equal(u.stdout, 'node/worker-1 uncordoned\n');
    const other = await oc(['adm', 'upgrade']);
    assert.equal(other.code, 1);
    assert.equal(other.stderr, 'error: unknown command "upgrade" for "oc adm"\n');
  });
});
