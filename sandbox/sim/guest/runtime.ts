// The guests of one cluster, behind the GuestRuntimeApi contract: virt-handler
// boots and stops them, the kubelet probes them, faults hang or crash them and
// the console subresource talks to them. Probe answers carry the kubelet's own
// failure texts so pod events read like a real cluster's.

import type { KubeObject } from '../api/object.ts';
import type { Clock } from '../clock.ts';
import { Guest } from './guest.ts';
import type { ListenerReply } from './http.ts';
import type { GuestSnapshot } from './snapshot.ts';
import type {
  BootOptions, ConsoleSession, GuestInfo, GuestNetwork, GuestRuntimeApi, ProbeOutcome, ShutoffReason,
} from './types.ts';
import { readVmi } from './vmi.ts';

/** What the network gets from the guest that holds an address: an answer, a refused connection or silence. */
export type GuestDelivery = { reply: ListenerReply } | { error: 'refused' | 'timeout' };

export interface GuestRuntimeOptions {
  network?: GuestNetwork;
}

const NO_AGENT = 'Guest agent is not responding: QEMU guest agent is not connected';

/** A console for a guest that does not exist: it never says anything. */
function silentConsole(): ConsoleSession {
  return { write: () => {}, onData: () => () => {}, close: () => {}, onClose: () => () => {} };
}

function portNumber(port: number | string): number | undefined {
  if (typeof port === 'number') return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  return /^\d+$/.test(port) ? portNumber(Number(port)) : undefined;
}

export class GuestRuntime implements GuestRuntimeApi {
  private readonly guests = new Map<string, Guest>();
  private readonly listeners = new Set<(vmiUid: string) => void>();
  /** The cluster network as guests see it; the data plane sets it. */
  network?: GuestNetwork;

  constructor(private readonly clock: Clock, options: GuestRuntimeOptions = {}) {
    this.network = options.network;
  }

  boot(vmi: KubeObject, ip: string, options?: BootOptions): GuestInfo {
    const spec = readVmi(vmi, options);
    let g = this.guests.get(spec.uid);
    if (g?.isOn) {
      // virt-handler reconciles level-triggered: booting a running domain again changes nothing but its address.
      if (ip && ip !== g.ip) {
        g.ip = ip;
        this.emit(spec.uid);
      }
      return g.info();
    }
    if (!g) {
      g = new Guest(spec, ip, { clock: this.clock, changed: () => this.emit(spec.uid), network: () => this.network });
      this.guests.set(spec.uid, g);
    } else g.ip = ip;
    g.powerOn();
    return g.info();
  }

  migrated(vmiUid: string, ip: string, node?: string): void {
    const g = this.guests.get(vmiUid);
    if (!g) return;
    // Memory, processes, uptime and boot count travel with the domain; only where it is reached changes.
    if (ip) g.ip = ip;
    if (node !== undefined) g.node = node;
    this.emit(vmiUid);
  }

  get(vmiUid: string): GuestInfo | undefined {
    return this.guests.get(vmiUid)?.info();
  }

  destroy(vmiUid: string, reason: ShutoffReason = 'Destroyed'): void {
    this.guests.get(vmiUid)?.off(reason);
  }

  shutdown(vmiUid: string): void {
    this.guests.get(vmiUid)?.acpi('poweroff');
  }

  reboot(vmiUid: string): void {
    this.guests.get(vmiUid)?.acpi('reboot');
  }

  reset(vmiUid: string): void {
    const g = this.guests.get(vmiUid);
    if (g?.isOn) g.powerOn();
  }

  pause(vmiUid: string): void {
    this.guests.get(vmiUid)?.pause();
  }

  unpause(vmiUid: string): void {
    this.guests.get(vmiUid)?.unpause();
  }

  hangKernel(vmiUid: string): void {
    this.guests.get(vmiUid)?.hang('fault');
  }

  crash(vmiUid: string): void {
    this.guests.get(vmiUid)?.off('Crashed');
  }

  stopService(vmiUid: string, service: string): void {
    this.guests.get(vmiUid)?.stopService(service);
  }

  startService(vmiUid: string, service: string): void {
    this.guests.get(vmiUid)?.startService(service);
  }

  killService(vmiUid: string, service: string): void {
    this.guests.get(vmiUid)?.killService(service);
  }

  forget(vmiUid: string): void {
    const g = this.guests.get(vmiUid);
    if (!g) return;
    g.timers.clear();
    g.console.closeAll();
    this.guests.delete(vmiUid);
  }

  httpGet(vmiUid: string, port: number | string, path: string, timeoutSeconds: number): ProbeOutcome {
    void timeoutSeconds;
    const g = this.guests.get(vmiUid);
    const ip = g?.ip ?? '';
    const p = portNumber(port);
    const url = `http://${ip}:${port}${path.startsWith('/') ? path : `/${path}`}`;
    if (p === undefined) return { ok: false, reason: 'refused', message: `Get "${url}": dial tcp: address ${port}: invalid port` };
    if (!g || !g.isOn) return { ok: false, reason: 'refused', message: `Get "${url}": dial tcp ${ip}:${p}: connect: connection refused` };
    // Booting, hung or paused: the SYN goes unanswered until the kubelet gives up.
    if (!g.up) return { ok: false, reason: 'timeout', message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
    const reply = g.localRequest(p, 'GET', path || '/');
    if (!reply) return { ok: false, reason: 'refused', message: `Get "${url}": dial tcp ${ip}:${p}: connect: connection refused` };
    if (reply.kind === 'banner') {
      return { ok: false, reason: 'http-status', message: `Get "${url}": net/http: HTTP/1.x transport connection broken: malformed HTTP response "${reply.banner}"` };
    }
    const r = reply.response;
    // The kubelet counts 200–399 as success.
    if (r.status >= 200 && r.status < 400) return { ok: true, status: r.status, body: r.body };
    return { ok: false, reason: 'http-status', status: r.status, message: `HTTP probe failed with statuscode: ${r.status}` };
  }

  /**
   * A connection from the network to ip:port and one request on it: the data
   * plane's last hop. Undefined when no guest holds the address.
   */
  deliver(ip: string, port: number, method: string, path: string): GuestDelivery | undefined {
    let g: Guest | undefined;
    // After a restart an old domain may still be listed with the address; the running one owns it.
    for (const x of this.guests.values()) if (x.ip === ip && (!g || (x.isOn && !g.isOn))) g = x;
    if (!g) return undefined;
    if (!g.isOn) return { error: 'refused' };
    // Booting, hung or paused: nothing answers the SYN.
    if (!g.up) return { error: 'timeout' };
    const reply = g.localRequest(port, method, path || '/');
    return reply ? { reply } : { error: 'refused' };
  }

  tcpConnect(vmiUid: string, port: number | string, timeoutSeconds: number): ProbeOutcome {
    void timeoutSeconds;
    const g = this.guests.get(vmiUid);
    const ip = g?.ip ?? '';
    const p = portNumber(port);
    if (p === undefined) return { ok: false, reason: 'refused', message: `dial tcp: address ${port}: invalid port` };
    if (!g || !g.isOn) return { ok: false, reason: 'refused', message: `dial tcp ${ip}:${p}: connect: connection refused` };
    if (!g.up) return { ok: false, reason: 'timeout', message: `dial tcp ${ip}:${p}: i/o timeout` };
    if (!g.units.listeners().has(p)) return { ok: false, reason: 'refused', message: `dial tcp ${ip}:${p}: connect: connection refused` };
    return { ok: true };
  }

  exec(vmiUid: string, command: string[], timeoutSeconds: number): ProbeOutcome {
    const g = this.guests.get(vmiUid);
    if (!g || !g.isOn) return { ok: false, reason: 'no-agent', message: 'Requested operation is not valid: domain is not running' };
    if (g.isPaused) return { ok: false, reason: 'timeout', message: `${NO_AGENT}` };
    if (!g.agentConnected) return { ok: false, reason: 'no-agent', message: NO_AGENT };
    if (!command.length) return { ok: false, reason: 'exit-code', status: 1, message: 'no command given' };
    const r = g.agentExec(command);
    if (r.waited > timeoutSeconds) return { ok: false, reason: 'timeout', message: `command timed out after ${timeoutSeconds}s` };
    const output = r.stdout + r.stderr;
    if (r.code === 0) return { ok: true, body: r.stdout };
    return { ok: false, reason: 'exit-code', status: r.code, message: output.trim() || `command terminated with exit code ${r.code}` };
  }

  guestAgentPing(vmiUid: string): ProbeOutcome {
    const g = this.guests.get(vmiUid);
    if (!g || !g.isOn) return { ok: false, reason: 'no-agent', message: 'Requested operation is not valid: domain is not running' };
    if (g.isPaused) return { ok: false, reason: 'timeout', message: NO_AGENT };
    if (!g.agentConnected) return { ok: false, reason: 'no-agent', message: NO_AGENT };
    return { ok: true };
  }

  openConsole(vmiUid: string): ConsoleSession {
    return this.guests.get(vmiUid)?.console.open() ?? silentConsole();
  }

  /** Every guest as plain data, for a cluster snapshot. */
  snapshot(): GuestSnapshot[] {
    return [...this.guests.values()].map((g) => g.snapshot());
  }

  /** Brings back the guests of a snapshot into an empty runtime, running ones still running. */
  restore(snaps: GuestSnapshot[]): void {
    if (this.guests.size) throw new Error('restoring guests needs an empty runtime');
    for (const snap of snaps) {
      const uid = snap.spec.uid;
      this.guests.set(uid, Guest.restore(snap, { clock: this.clock, changed: () => this.emit(uid), network: () => this.network }));
    }
  }

  onChange(listener: (vmiUid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(vmiUid: string): void {
    for (const l of [...this.listeners]) {
      try {
        l(vmiUid);
      } catch {
        // One listener's failure must not keep the others from hearing about the change.
      }
    }
  }
}
