// The lab shell's virtctl (sandbox/shell/bin/virtctl) against the embedded
// cluster: start/stop/restart/migrate with virtctl's own messages and errors,
// expose building Services from the VM's labels, the serial console with piped
// input, version, and kubeconfig selection like kubectl's.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from './harness.ts';
import { runTool } from './shell-tools.ts';
import { kubectlOk, vmManifest } from '../scenarios/fixtures.ts';

const VMS = 'kubevirt.io/virtualmachines';
const VMIS = 'kubevirt.io/virtualmachineinstances';
const MIGRATIONS = 'kubevirt.io/virtualmachineinstancemigrations';

let sim: Sim;
const vm = (name: string, ns = 'default'): KubeObject | undefined => sim.cluster.store.get(VMS, ns, name);
const vmi = (name: string, ns = 'default'): KubeObject | undefined => sim.cluster.store.get(VMIS, ns, name);
const phase = (o: KubeObject | undefined): string | undefined => (o?.status as { phase?: string } | undefined)?.phase;
const virtctl = (args: string[], o?: Parameters<typeof runTool>[3]) => runTool(sim, 'virtctl', args, o);

/** A web server VM whose template carries labels and declares port 8080 on the pod network. */
function webVm(name: string, runStrategy: string): KubeObject {
  const m = vmManifest(name, runStrategy, { image: 'quay.io/virtlab/webserver:latest' });
  const template = (m.spec as { template: { metadata: { labels: Record<string, string> }; spec: { domain: { devices: { interfaces: Record<string, unknown>[] } } } } }).template;
  template.metadata.labels = { app: 'web', tier: 'front' };
  template.spec.domain.devices.interfaces[0].ports = [{ name: 'http', port: 8080 }];
  return m;
}

async function untilVmi(name: string, want: string, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds && phase(vmi(name)) !== want; i++) await sim.advance(1);
  assert.equal(phase(vmi(name)), want, `VMI ${name} never reached ${want}`);
}

before(async () => {
  sim = await startSim({ workers: 2, controlPlanes: 1 });
  await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify(webVm('web1', 'Halted')));
});
after(async () => { await sim.close(); });

describe('virtctl start, stop, restart', () => {
  it('starts a halted VM with virtctl\'s message and flips its run strategy', async () => {
    const r = await virtctl(['start', 'web1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'VM web1 was scheduled to start\n');
    assert.equal((vm('web1')!.spec as { runStrategy: string }).runStrategy, 'Always');
    await untilVmi('web1', 'Running');
  });

  it('refuses to start a running VM, in virt-api\'s words, with exit code 1', async () => {
    const r = await virtctl(['start', 'web1']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '', 'no version warning: client and cluster report the same KubeVirt minor');
    assert.equal(r.stderr, 'Error starting VirtualMachine Operation cannot be fulfilled on virtualmachine.kubevirt.io "web1": VM is already running\n');
  });

  it('reports a VM that does not exist', async () => {
    const r = await virtctl(['start', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error starting VirtualMachine virtualmachine.kubevirt.io "nope" not found\n');
  });

  it('checks the argument count and --force with --grace-period like virtctl', async () => {
    const none = await virtctl(['stop']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^fatal: Number of input parameters is incorrect, stop accepts 1 arg\(s\), received 0\n\nargument validation failed\n$/);
    assert.match(none.stdout, /Usage:\n {2}virtctl stop \(VM\) \[flags\]/);
    const force = await virtctl(['stop', 'web1', '--force']);
    assert.equal(force.code, 1);
    assert.equal(force.stderr, 'Must both use --force=true and set --grace-period.\n');
    const bad = await virtctl(['stop', 'web1', '--bogus']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'unknown flag: --bogus\n');
  });

  it('restarts: the VMI is replaced by a new one', async () => {
    const before = vmi('web1')!.metadata.uid;
    const r = await virtctl(['restart', 'web1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'VM web1 was scheduled to restart\n');
    for (let i = 0; i < 120 && (vmi('web1')?.metadata.uid === before || phase(vmi('web1')) !== 'Running'); i++) await sim.advance(1);
    assert.notEqual(vmi('web1')?.metadata.uid, before);
    assert.equal(phase(vmi('web1')), 'Running');
  });

  it('dry-run stop changes nothing', async () => {
    const r = await virtctl(['stop', 'web1', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Dry Run execution\nVM web1 was scheduled to stop\n');
    assert.equal((vm('web1')!.spec as { runStrategy: string }).runStrategy, 'Always');
  });
});

describe('virtctl pause, migrate, console', () => {
  it('pauses and unpauses the VMI of a VM', async () => {
    const p = await virtctl(['pause', 'vm', 'web1']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, 'VMI web1 was scheduled to pause\n');
    const again = await virtctl(['pause', 'vmi', 'web1']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error pausing VirtualMachineInstance web1: Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "web1": VMI is already paused\n');
    const u = await virtctl(['unpause', 'vm', 'web1']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout, 'VMI web1 was scheduled to unpause\n');
    await sim.advance(2);
  });

  it('migrate creates a VirtualMachineInstanceMigration; migrate-cancel deletes it', async () => {
    const r = await virtctl(['migrate', 'web1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'VM web1 was scheduled to migrate\n');
    const migs = sim.cluster.store.list(MIGRATIONS, 'default').filter((m) => (m.spec as { vmiName?: string }).vmiName === 'web1');
    assert.equal(migs.length, 1);
    assert.match(migs[0].metadata.name!, /^kubevirt-migrate-vm-/);
    const c = await virtctl(['migrate-cancel', 'web1']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, 'VM web1 was scheduled to migrate-cancel\n');
    const gone = sim.cluster.store.get(MIGRATIONS, 'default', migs[0].metadata.name!);
    assert.ok(!gone || gone.metadata.deletionTimestamp, 'the migration is deleted');
    for (let i = 0; i < 30; i++) await sim.advance(1);
    const none = await virtctl(['migrate-cancel', 'web1']);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Found no migration to cancel for web1\n');
  });

  it('console with piped input logs in and runs hostname', async () => {
    await untilVmi('web1', 'Running');
    await sim.advance(60); // the guest boots to its login prompt
    const r = await virtctl(['console', 'web1'], { input: '\nfedora\nsecret\nhostname\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Successfully connected to web1 console. The escape sequence is ^]\n');
    assert.match(r.stdout, /login: /);
    assert.match(r.stdout, /\$ hostname\r\nweb1\r\n/);
  });

  it('console to a VMI that does not exist fails with virt-api\'s message', async () => {
    const r = await virtctl(['console', 'ghost']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'virtualmachineinstance.kubevirt.io "ghost" not found\n');
  });
});

describe('virtctl expose', () => {
  it('builds a Service from the VM template\'s labels, with the given port and type', async () => {
    const r = await virtctl(['expose', 'vm', 'web1', '--name', 'web1-http', '--port', '80', '--target-port', '8080', '--type', 'NodePort']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Service web1-http successfully exposed for vm web1\n');
    const svc = sim.cluster.store.get('services', 'default', 'web1-http')!;
    const spec = svc.spec as { selector: Record<string, string>; type: string; ports: { port: number; targetPort: number; protocol: string }[] };
    assert.deepEqual(spec.selector, { app: 'web', tier: 'front' });
    assert.equal(spec.type, 'NodePort');
    assert.equal(spec.ports.length, 1);
    assert.deepEqual({ port: spec.ports[0].port, targetPort: spec.ports[0].targetPort, protocol: spec.ports[0].protocol }, { port: 80, targetPort: 8080, protocol: 'TCP' });
  });

  it('without --port exposes the ports of the pod network interface', async () => {
    const r = await virtctl(['expose', 'vm', 'web1', '--name', 'web1-all']);
    assert.equal(r.code, 0, r.stderr);
    const ports = (sim.cluster.store.get('services', 'default', 'web1-all')!.spec as { ports: { name: string; port: number }[] }).ports;
    assert.deepEqual(ports.map((p) => [p.name, p.port]), [['port-1', 8080]]);
  });

  it('exposes a VMI by its labels without kubevirt.io/nodeName', async () => {
    assert.ok(vmi('web1')!.metadata.labels?.['kubevirt.io/nodeName'], 'the VMI carries its node label');
    const r = await virtctl(['expose', 'vmi', 'web1', '--name', 'web1-vmi', '--port', '80']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Service web1-vmi successfully exposed for vmi web1\n');
    const selector = (sim.cluster.store.get('services', 'default', 'web1-vmi')!.spec as { selector: Record<string, string> }).selector;
    assert.equal(selector['kubevirt.io/nodeName'], undefined);
    assert.equal(selector.app, 'web');
  });

  it('fails for a VM without labels, without --name, and on a bad type', async () => {
    const bare = vmManifest('bare', 'Halted');
    delete (bare.spec as { template: { metadata?: unknown } }).template.metadata;
    await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify(bare));
    const r = await virtctl(['expose', 'vm', 'bare', '--name', 'bare-svc', '--port', '80']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'cannot expose vm without any label: bare\n');
    assert.equal(sim.cluster.store.get('services', 'default', 'bare-svc'), undefined);
    const noName = await virtctl(['expose', 'vm', 'web1', '--port', '80']);
    assert.equal(noName.code, 1);
    assert.equal(noName.stderr, 'required flag(s) "name" not set\n');
    const badType = await virtctl(['expose', 'vm', 'web1', '--name', 'x', '--port', '80', '--type', 'ExternalName']);
    assert.equal(badType.stderr, 'type: ExternalName not supported\n');
    const missing = await virtctl(['expose', 'vm', 'nope', '--name', 'x', '--port', '80']);
    assert.equal(missing.stderr, 'error fetching Virtual Machine: virtualmachines.kubevirt.io "nope" not found\n');
  });
});

describe('virtctl version and kubeconfig', () => {
  it('prints client and server version.Info', async () => {
    const r = await virtctl(['version']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^Client Version: version\.Info\{GitVersion:"v1\.3\.1", GitCommit:"[0-9a-f]{40}", GitTreeState:"clean", BuildDate:"[^"]+", GoVersion:"go[\d.]+", Compiler:"gc", Platform:"[a-z0-9]+\/[a-z0-9]+"\}$/);
    assert.match(lines[1], /^Server Version: version\.Info\{GitVersion:"v1\.3\.1", /);
  });

  it('uses the namespace of the context, -n, --context and a KUBECONFIG list with missing files', async () => {
    await kubectlOk(sim, ['create', 'namespace', 'lab']);
    const labVm = webVm('lab1', 'Halted');
    labVm.metadata.namespace = 'lab';
    await kubectlOk(sim, ['apply', '-f', '-'], JSON.stringify(labVm));
    // A second file whose context points at the lab namespace.
    const second = join(sim.dir, 'lab-config');
    writeFileSync(second, stringify({ apiVersion: 'v1', kind: 'Config', contexts: [{ name: 'lab', context: { cluster: 'virtlab', user: 'virtlab-admin', namespace: 'lab' } }], 'current-context': 'lab' }));
    const list = `${join(sim.dir, 'missing')}:${second}:${sim.kubeconfig}`;
    const byContextNs = await virtctl(['start', 'lab1', '--dry-run'], { env: { KUBECONFIG: list } });
    assert.equal(byContextNs.code, 0, byContextNs.stderr);
    const byFlag = await virtctl(['start', 'lab1', '-n', 'lab', '--dry-run']);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    const wrongNs = await virtctl(['start', 'lab1', '--dry-run']);
    assert.equal(wrongNs.stderr, 'Error starting VirtualMachine virtualmachine.kubevirt.io "lab1" not found\n');
    const byContext = await virtctl(['--context', 'virtlab', 'start', 'lab1', '--dry-run'], { env: { KUBECONFIG: list } });
    assert.equal(byContext.code, 1, 'the virtlab context uses namespace default');
    const explicit = await virtctl(['start', 'lab1', '--kubeconfig', second, '--dry-run'], { env: { KUBECONFIG: undefined } });
    assert.equal(explicit.code, 1);
    assert.equal(explicit.stderr, 'Cannot obtain KubeVirt client: invalid configuration: cluster has no server defined\n', 'the second file alone has no cluster');
    const noFile = await virtctl(['start', 'lab1', '--kubeconfig', join(sim.dir, 'nope')]);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /stat .*nope: no such file or directory/);
    assert.equal((vm('lab1', 'lab')!.spec as { runStrategy: string }).runStrategy, 'Halted', 'dry runs changed nothing');
  });

  it('verifies the server against the kubeconfig CA unless insecure-skip-tls-verify', async () => {
    const noCa = join(sim.dir, 'no-ca');
    const kc = (cluster: Record<string, unknown>): string => stringify({
      apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster }], users: [{ name: 'u', user: { token: sim.token } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x',
    });
    writeFileSync(noCa, kc({ server: sim.api.url }));
    const refused = await virtctl(['version'], { env: { KUBECONFIG: noCa } });
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `Get "${sim.api.url}/apis/subresources.kubevirt.io": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`);
    writeFileSync(noCa, kc({ server: sim.api.url, 'insecure-skip-tls-verify': true }));
    const insecure = await virtctl(['version'], { env: { KUBECONFIG: noCa } });
    assert.equal(insecure.code, 0, insecure.stderr);
    const flag = await virtctl(['version', '--insecure-skip-tls-verify', '--server', sim.api.url, '--token', sim.token], { env: { KUBECONFIG: join(sim.dir, 'none') } });
    assert.equal(flag.code, 0, flag.stderr);
  });

  it('reads ~/.kube/config when KUBECONFIG is unset', async () => {
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(sim.dir, '.kube'), { recursive: true });
    copyFileSync(sim.kubeconfig, join(sim.dir, '.kube', 'config'));
    const r = await virtctl(['stop', 'web1', '--dry-run'], { env: { KUBECONFIG: undefined } });
    assert.equal(r.code, 0, r.stderr);
  });

  it('stops a VM, then says it is not running', async () => {
    const r = await virtctl(['stop', 'web1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'VM web1 was scheduled to stop\n');
    assert.equal((vm('web1')!.spec as { runStrategy: string }).runStrategy, 'Halted');
    for (let i = 0; i < 120 && vmi('web1'); i++) await sim.advance(1);
    assert.equal(vmi('web1'), undefined);
    const again = await virtctl(['stop', 'web1']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error stopping VirtualMachine Operation cannot be fulfilled on virtualmachine.kubevirt.io "web1": VM is not running\n');
  });
});
