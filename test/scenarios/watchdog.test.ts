// The i6300esb watchdog at the VM level (reference §4, §1.3), as a student
// sees it with kubectl: a hung guest whose watchdog daemon feeds /dev/watchdog
// is reset in place (reset) or fails and is replaced (poweroff); `shutdown` is
// an ACPI request that only a guest still running obeys (a killed daemon: it
// shuts down cleanly and the run strategy decides whether it comes back), while
// a hung kernel ignores it and stays hung. A device that nothing feeds never
// fires. Manual clock, no sleeps.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';
import { startSim, type Sim } from '../integration/harness.ts';

type J = Record<string, any>;
const VMIS = 'kubevirt.io/virtualmachineinstances';
const VMS = 'kubevirt.io/virtualmachines';

interface VmOptions {
  runStrategy: string;
  image?: string;
  /** The watchdog action; undefined = the VMI has no watchdog device. */
  action?: 'reset' | 'poweroff' | 'shutdown';
  /** A readiness probe on this TCP port. */
  readinessPort?: number;
  userData?: string;
}

function vmManifest(name: string, o: VmOptions): KubeObject {
  const devices: J = { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] };
  if (o.action) devices.watchdog = { name: 'wd', i6300esb: { action: o.action } };
  const volumes: J[] = [{ name: 'rootdisk', containerDisk: { image: o.image ?? 'quay.io/virtlab/webserver:latest' } }];
  if (o.userData) {
    devices.disks.push({ name: 'cloudinitdisk', disk: { bus: 'virtio' } });
    volumes.push({ name: 'cloudinitdisk', cloudInitNoCloud: { userData: o.userData } });
  }
  const spec: J = {
    domain: { devices, resources: { requests: { memory: '1Gi' } } },
    networks: [{ name: 'default', pod: {} }],
    volumes,
  };
  if (o.readinessPort) spec.readinessProbe = { tcpSocket: { port: o.readinessPort }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 };
  return {
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { runStrategy: o.runStrategy, template: { metadata: { labels: { app: name, 'kubevirt.io/domain': name } }, spec } },
  };
}

const hangFault = (name: string, vmi: string): string => JSON.stringify({
  apiVersion: 'sim.virtlab.dev/v1alpha1', kind: 'Fault', metadata: { name },
  spec: { type: 'GuestKernelHang', target: { kind: 'VirtualMachineInstance', name: vmi, namespace: 'default' } },
});

let sim: Sim;
const vmi = (name: string): KubeObject | undefined => sim.cluster.store.get(VMIS, 'default', name);
const vm = (name: string): KubeObject | undefined => sim.cluster.store.get(VMS, 'default', name);
const st = (o: KubeObject | undefined): J => (o?.status ?? {}) as J;
const guest = (uid: string) => sim.cluster.guests.get(uid);
const launcherPods = (name: string): KubeObject[] => sim.cluster.store.list('pods', 'default')
  .filter((p) => p.metadata.labels?.['kubevirt.io'] === 'virt-launcher' && p.metadata.annotations?.['kubevirt.io/domain'] === name);
const condition = (o: KubeObject | undefined, type: string): string | undefined =>
  ((st(o).conditions ?? []) as J[]).find((c) => c.type === type)?.status;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await sim.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

/** Advances in 1 s steps until the condition holds (at most `max` seconds); returns the seconds it took. */
async function advanceUntil(cond: () => boolean, max: number): Promise<number> {
  let n = 0;
  for (; n < max && !cond(); n++) await sim.advance(1);
  return n;
}

/** What `kubectl get vm -w` and `kubectl get vmi -w` would show: printableStatus values and (uid, phase) pairs, deduplicated. */
function record(name: string): { printable: string[]; phases: string[]; stop(): void } {
  const printable: string[] = [];
  const phases: string[] = [];
  const cur = st(vm(name)).printableStatus;
  if (cur) printable.push(cur);
  const v = vmi(name);
  if (v && st(v).phase) phases.push(`${v.metadata.uid}:${st(v).phase}`);
  const stopVm = sim.cluster.store.watch(VMS, (ev) => {
    if (ev.object.metadata.name !== name) return;
    const p = st(ev.object).printableStatus;
    if (p && printable[printable.length - 1] !== p) printable.push(p);
  });
  const stopVmi = sim.cluster.store.watch(VMIS, (ev) => {
    if (ev.object.metadata.name !== name || !st(ev.object).phase) return;
    const p = `${ev.object.metadata.uid}:${st(ev.object).phase}`;
    if (phases[phases.length - 1] !== p) phases.push(p);
  });
  return { printable, phases, stop: () => { stopVm(); stopVmi(); } };
}

/** Creates the VM and waits until its VMI is Running, its guest booted and (unless ready = false) the VMI Ready. */
async function runningVm(name: string, o: VmOptions, ready = true): Promise<KubeObject> {
  await kubectlOk(['apply', '-f', '-'], JSON.stringify(vmManifest(name, o)));
  const up = (): boolean => {
    const v = vmi(name);
    const g = v && guest(v.metadata.uid!);
    return st(v).phase === 'Running' && g?.state === 'Running' && (!ready || condition(v, 'Ready') === 'True');
  };
  await advanceUntil(up, 120);
  const v = vmi(name)!;
  assert.ok(up(), `VMI ${name} runs: ${st(v).phase} ${guest(v.metadata.uid!)?.state}`);
  assert.equal(st(vm(name)).printableStatus, 'Running');
  return v;
}

/** The events of one object (by uid), as [type, reason, message, count]; identical events are aggregated into one with a count. */
async function eventsOf(uid: string): Promise<[string, string, string, number][]> {
  const out = await kubectlOk(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.uid=${uid}`, '-o', 'json']);
  return (JSON.parse(out).items as J[]).map((e) => [e.type, e.reason, e.message, e.count ?? 1]);
}

/** Logs in as root on the VMI's serial console, runs the commands and returns the screen. */
async function onConsole(uid: string, commands: string[]): Promise<string> {
  const tty = sim.cluster.guests.openConsole(uid);
  let screen = '';
  const off = tty.onData((d) => { screen += d; });
  for (const line of ['', 'root', 'any-password', ...commands]) tty.write(`${line}\r`);
  await sim.advance(1);
  off();
  tty.close();
  return screen.replace(/\r\n/g, '\n');
}

async function cleanup(name: string): Promise<void> {
  await sim.kubectl(['delete', 'vm', name, '--wait=false']);
  await advanceUntil(() => !vm(name) && !vmi(name) && launcherPods(name).length === 0, 120);
}

before(async () => { sim = await startSim({ workers: 2 }); });
after(async () => { await sim.close(); });

describe('watchdog action reset', () => {
  it('a hung guest is reset in place: same VMI, same pod, the VM stays Running', async () => {
    const first = await runningVm('wd-reset', { runStrategy: 'Always', action: 'reset', readinessPort: 8080 });
    const uid = first.metadata.uid!;
    assert.deepEqual(guest(uid)?.watchdog, { action: 'reset', armed: true, timeoutSeconds: 60 }, 'the prepared image arms the device at boot');
    assert.equal(guest(uid)?.bootCount, 1);
    const pod = launcherPods('wd-reset');
    assert.equal(pod.length, 1);
    const rec = record('wd-reset');
    const readiness: string[] = [];
    const stopReady = sim.cluster.store.watch(VMIS, (ev) => {
      const r = condition(ev.object, 'Ready');
      if (ev.object.metadata.uid === uid && r && readiness[readiness.length - 1] !== r) readiness.push(r);
    });

    await kubectlOk(['apply', '-f', '-'], hangFault('wd-reset-hang', 'wd-reset'));
    await sim.advance(1);
    assert.equal(guest(uid)?.state, 'Hung');
    const took = await advanceUntil(() => (guest(uid)?.bootCount ?? 0) > 1, 90);
    assert.ok(took >= 58 && took <= 62, `the device resets the guest ~60 s after the hang (took ${took} s)`);
    // The guest boots again inside the same QEMU process and comes back up.
    await advanceUntil(() => guest(uid)?.state === 'Running' && condition(vmi('wd-reset'), 'Ready') === 'True', 120);
    await sim.advance(10);
    rec.stop();
    stopReady();

    const now = vmi('wd-reset')!;
    assert.equal(now.metadata.uid, uid, 'the same VMI');
    assert.equal(st(now).phase, 'Running');
    assert.equal(condition(now, 'Ready'), 'True');
    assert.equal(guest(uid)?.bootCount, 2, 'one reset');
    assert.equal(guest(uid)?.watchdog?.armed, true, 'the daemon started again at boot and feeds the device');
    assert.deepEqual(launcherPods('wd-reset').map((p) => p.metadata.name), pod.map((p) => p.metadata.name), 'the same launcher pod');
    assert.equal(st(launcherPods('wd-reset')[0]).phase, 'Running');
    assert.deepEqual(rec.phases, [`${uid}:Running`], 'the VMI never left Running');
    assert.deepEqual(rec.printable, ['Running'], 'the VM never left Running');
    assert.deepEqual(readiness, ['True', 'False', 'True'], 'readiness flapped while the guest was hung and rebooting');
    assert.equal(st(vm('wd-reset')).printableStatus, 'Running');
    const events = await eventsOf(uid);
    assert.ok(!events.some(([, reason]) => reason === 'Stopped'), JSON.stringify(events));
    const out = await kubectlOk(['get', 'vm', 'wd-reset', '--no-headers']);
    assert.match(out, /^wd-reset\s+\S+\s+Running\s+True/);
    await kubectlOk(['delete', 'fault', 'wd-reset-hang']);
    await cleanup('wd-reset');
  });
});

describe('watchdog action poweroff', () => {
  it('a hung guest is powered off: the VMI fails, the VM replaces it (Always)', async () => {
    const first = await runningVm('wd-off', { runStrategy: 'Always', action: 'poweroff' });
    const uid = first.metadata.uid!;
    const firstPod = launcherPods('wd-off')[0].metadata.name;
    const rec = record('wd-off');

    await kubectlOk(['apply', '-f', '-'], hangFault('wd-off-hang', 'wd-off'));
    const took = await advanceUntil(() => rec.phases.includes(`${uid}:Failed`), 90);
    assert.ok(took >= 58 && took <= 62, `the VMI fails ~60 s after the hang (took ${took} s)`);
    assert.equal(guest(uid)?.shutoffReason ?? 'Destroyed', 'Destroyed');
    assert.deepEqual((await eventsOf(uid)).filter(([, reason]) => reason === 'Stopped'), [['Warning', 'Stopped', 'The VirtualMachineInstance crashed.', 1]]);

    await advanceUntil(() => {
      const v = vmi('wd-off');
      return !!v && v.metadata.uid !== uid && st(v).phase === 'Running' && guest(v.metadata.uid!)?.state === 'Running';
    }, 180);
    rec.stop();
    const second = vmi('wd-off')!;
    assert.notEqual(second.metadata.uid, uid, 'a new VMI');
    assert.equal(st(second).phase, 'Running');
    assert.equal(guest(second.metadata.uid!)?.bootCount, 1, 'a fresh domain');
    assert.notEqual(launcherPods('wd-off')[0]?.metadata.name, firstPod, 'in a new launcher pod');
    assert.deepEqual(rec.phases.filter((p) => p.startsWith(uid)), [`${uid}:Running`, `${uid}:Failed`]);
    assert.equal(rec.phases[rec.phases.length - 1], `${second.metadata.uid}:Running`);
    // Stopped while the Failed VMI is deleted, Starting until the new one runs.
    assert.deepEqual(rec.printable, ['Running', 'Stopped', 'Starting', 'Running']);
    assert.equal(st(vm('wd-off')).startFailure, undefined, 'the VMI had run: no crash-loop backoff');
    const vmEvents = await eventsOf(vm('wd-off')!.metadata.uid!);
    assert.ok(vmEvents.some(([, r, m]) => r === 'SuccessfulDelete' && m === `Stopped the virtual machine by deleting the virtual machine instance ${uid}`), JSON.stringify(vmEvents));
    assert.deepEqual(vmEvents.filter(([, r]) => r === 'SuccessfulCreate'), [['Normal', 'SuccessfulCreate', 'Started the virtual machine by creating the new virtual machine instance wd-off', 2]], 'two creations, aggregated');
    await kubectlOk(['delete', 'fault', 'wd-off-hang']);
    await cleanup('wd-off');
  });
});

describe('watchdog action shutdown', () => {
  it('a SIGKILLed watchdog daemon starves the device: clean shutdown, Succeeded, RerunOnFailure does not restart', async () => {
    const first = await runningVm('wd-shut', { runStrategy: 'RerunOnFailure', action: 'shutdown' });
    const uid = first.metadata.uid!;
    const rec = record('wd-shut');
    // As a student would: root on the serial console kills the daemon with SIGKILL.
    const screen = await onConsole(uid, ['pkill -9 watchdog', 'systemctl is-active watchdog']);
    assert.match(screen, /systemctl is-active watchdog\nfailed\n/, screen);
    assert.equal(guest(uid)?.watchdog?.armed, true, 'killed without the magic close: the device stays armed and starves');
    const took = await advanceUntil(() => rec.phases.includes(`${uid}:Succeeded`), 90);
    assert.ok(took >= 60 && took <= 66, `ACPI shutdown ~60 s after the kill, then a few seconds of systemd (took ${took} s)`);
    assert.equal(guest(uid)?.shutoffReason ?? 'Shutdown', 'Shutdown');
    assert.deepEqual((await eventsOf(uid)).filter(([, reason]) => reason === 'Stopped'), [['Normal', 'Stopped', 'The VirtualMachineInstance was shut down.', 1]]);
    await sim.advance(120);
    rec.stop();
    assert.equal(vmi('wd-shut'), undefined, 'the Succeeded VMI is deleted');
    assert.equal(launcherPods('wd-shut').length, 0);
    assert.deepEqual(rec.phases, [`${uid}:Running`, `${uid}:Succeeded`], 'and not recreated');
    assert.equal(st(vm('wd-shut')).printableStatus, 'Stopped');
    assert.equal(st(vm('wd-shut')).created ?? false, false);
    const out = await kubectlOk(['get', 'vm', 'wd-shut', '--no-headers']);
    assert.match(out, /^wd-shut\s+\S+\s+Stopped\s+False/);
    await cleanup('wd-shut');
  });

  it('the same clean shutdown with runStrategy Always is restarted', async () => {
    const first = await runningVm('wd-shut-always', { runStrategy: 'Always', action: 'shutdown' });
    const uid = first.metadata.uid!;
    const rec = record('wd-shut-always');
    sim.cluster.guests.killService!(uid, 'watchdog');
    await advanceUntil(() => rec.phases.includes(`${uid}:Succeeded`), 90);
    await advanceUntil(() => {
      const v = vmi('wd-shut-always');
      return !!v && v.metadata.uid !== uid && st(v).phase === 'Running';
    }, 180);
    rec.stop();
    const second = vmi('wd-shut-always')!;
    assert.notEqual(second.metadata.uid, uid);
    assert.equal(st(second).phase, 'Running');
    assert.deepEqual(rec.phases.filter((p) => p.startsWith(uid)), [`${uid}:Running`, `${uid}:Succeeded`]);
    assert.equal(rec.printable[rec.printable.length - 1], 'Running');
    assert.ok(rec.printable.includes('Starting'), rec.printable.join(' → '));
    await cleanup('wd-shut-always');
  });

  it('a hung kernel ignores the ACPI request: the VMI stays Running and hung, the device does not fire again until a reset', async () => {
    const first = await runningVm('wd-shut-hang', { runStrategy: 'RerunOnFailure', action: 'shutdown', readinessPort: 8080 });
    const uid = first.metadata.uid!;
    const pod = launcherPods('wd-shut-hang')[0].metadata.name;
    const rec = record('wd-shut-hang');
    await kubectlOk(['apply', '-f', '-'], hangFault('wd-shut-hang', 'wd-shut-hang'));
    await sim.advance(1);
    const firesAt = guest(uid)?.watchdog?.firesAt;
    assert.ok(firesAt !== undefined, 'the starving device counts down');
    const took = await advanceUntil(() => guest(uid)?.watchdog?.armed === false, 90);
    assert.ok(took >= 58 && took <= 62, `the device fires ~60 s after the hang (took ${took} s)`);
    await sim.advance(600);
    rec.stop();
    const now = vmi('wd-shut-hang')!;
    assert.equal(now.metadata.uid, uid, 'the same VMI');
    assert.equal(st(now).phase, 'Running');
    assert.equal(condition(now, 'Ready'), 'False', 'the readiness probe times out on the hung guest');
    assert.deepEqual([guest(uid)?.state, guest(uid)?.bootCount, guest(uid)?.watchdog?.firesAt], ['Hung', 1, undefined], 'still hung, never reset, no new countdown');
    assert.deepEqual(rec.phases, [`${uid}:Running`], 'never Succeeded nor Failed');
    assert.deepEqual(rec.printable, ['Running']);
    assert.equal(launcherPods('wd-shut-hang')[0].metadata.name, pod);
    assert.ok(!(await eventsOf(uid)).some(([, reason]) => reason === 'Stopped'));
    assert.match(await kubectlOk(['get', 'vm', 'wd-shut-hang', '--no-headers']), /^wd-shut-hang\s+\S+\s+Running\s+False/);

    // A hard reset of the domain boots the guest again; its daemon arms the device anew.
    sim.cluster.guests.reset!(uid);
    await advanceUntil(() => guest(uid)?.state === 'Running' && condition(vmi('wd-shut-hang'), 'Ready') === 'True', 120);
    assert.equal(vmi('wd-shut-hang')?.metadata.uid, uid);
    assert.equal(condition(vmi('wd-shut-hang'), 'Ready'), 'True');
    assert.deepEqual([guest(uid)?.bootCount, guest(uid)?.watchdog?.armed], [2, true]);
    await kubectlOk(['delete', 'fault', 'wd-shut-hang']);
    await cleanup('wd-shut-hang');
  });
});

describe('unarmed watchdog device', () => {
  it('nothing feeds the device on plain fedora: a hung guest stays hung, Running and not Ready, for 10 minutes', async () => {
    const first = await runningVm('wd-unarmed', { runStrategy: 'Always', image: 'quay.io/containerdisks/fedora:41', action: 'poweroff', readinessPort: 22 });
    const uid = first.metadata.uid!;
    assert.deepEqual(guest(uid)?.watchdog, { action: 'poweroff', armed: false, timeoutSeconds: 60 });
    assert.ok(!guest(uid)?.services.some((s) => s.name === 'watchdog'), 'no watchdog package installed');
    assert.match(await onConsole(uid, ['systemctl status watchdog']), /Unit watchdog\.service could not be found\./);
    const pod = launcherPods('wd-unarmed')[0].metadata.name;
    const rec = record('wd-unarmed');
    await kubectlOk(['apply', '-f', '-'], hangFault('wd-unarmed-hang', 'wd-unarmed'));
    await sim.advance(600);
    rec.stop();
    const now = vmi('wd-unarmed')!;
    assert.equal(now.metadata.uid, uid);
    assert.equal(st(now).phase, 'Running');
    assert.equal(guest(uid)?.state, 'Hung');
    assert.equal(guest(uid)?.bootCount, 1, 'never reset');
    assert.equal(guest(uid)?.watchdog?.firesAt, undefined, 'no countdown');
    assert.equal(condition(now, 'Ready'), 'False', 'the readiness probe times out');
    assert.deepEqual(rec.phases, [`${uid}:Running`]);
    assert.deepEqual(rec.printable, ['Running']);
    assert.equal(launcherPods('wd-unarmed')[0].metadata.name, pod);
    assert.ok(!(await eventsOf(uid)).some(([, reason]) => reason === 'Stopped'));
    const out = await kubectlOk(['get', 'vmi', 'wd-unarmed', '--no-headers']);
    assert.match(out, /^wd-unarmed\s+\S+\s+Running\s+\S+\s+worker-\d\s+False/);
    await kubectlOk(['delete', 'fault', 'wd-unarmed-hang']);
    await cleanup('wd-unarmed');
  });

  it('the same fedora armed through cloud-init (packages: [watchdog]) is reset by the device', async () => {
    const userData = '#cloud-config\npackages: [watchdog]\nruncmd:\n  - systemctl enable --now watchdog\n';
    const first = await runningVm('wd-ci', { runStrategy: 'Always', image: 'quay.io/containerdisks/fedora:41', action: 'reset', userData }, false);
    const uid = first.metadata.uid!;
    await advanceUntil(() => guest(uid)?.watchdog?.armed === true, 120);
    assert.equal(guest(uid)?.watchdog?.armed, true, 'cloud-init installed and started the daemon');
    await kubectlOk(['apply', '-f', '-'], hangFault('wd-ci-hang', 'wd-ci'));
    await advanceUntil(() => (guest(uid)?.bootCount ?? 0) > 1, 90);
    assert.equal(guest(uid)?.bootCount, 2);
    await advanceUntil(() => guest(uid)?.state === 'Running', 60);
    assert.equal(guest(uid)?.state, 'Running');
    assert.equal(guest(uid)?.watchdog?.armed, true, 'enabled by runcmd: the daemon starts again at boot');
    assert.equal(vmi('wd-ci')?.metadata.uid, uid);
    assert.equal(st(vmi('wd-ci')).phase, 'Running');
    await kubectlOk(['delete', 'fault', 'wd-ci-hang']);
    await cleanup('wd-ci');
  });
});
