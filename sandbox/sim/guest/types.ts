// The contract between the simulated guests (sandbox/sim/guest) and the parts
// of the cluster that touch them: virt-handler boots and watches them, the
// kubelet probes them, faults hang or crash them, the console talks to them.
// Guests are not API objects; they are what runs inside a VMI's domain.

import type { KubeObject } from '../api/object.ts';

/** What the hypervisor sees of the domain. */
export type DomainState =
  | 'Booting'      // firmware and kernel starting; services not up yet
  | 'Running'      // guest OS up
  | 'Paused'       // domain paused by the user (virtctl pause)
  | 'Hung'         // kernel hang (sysrq c, GuestKernelHang fault): nothing answers, watchdog not fed
  | 'Shutoff';     // domain gone; see `shutoffReason`

/** Why a domain stopped, as libvirt reports it (virt-handler maps it to a VMI phase). */
export type ShutoffReason = 'Shutdown' | 'Destroyed' | 'Crashed';

export interface GuestServiceStatus {
  /** systemd unit name without .service: httpd, mariadb, watchdog, qemu-guest-agent. */
  name: string;
  active: boolean;
  enabled: boolean;
  /** TCP port it listens on when active, if any. */
  port?: number;
}

export interface GuestInfo {
  vmiUid: string;
  namespace: string;
  vmiName: string;
  hostname: string;
  state: DomainState;
  shutoffReason?: ShutoffReason;
  /** Cluster-clock ms when the current boot started. */
  bootStartedAt: number;
  /** Cluster-clock ms when the guest OS finished booting (services started), if it has. */
  bootedAt?: number;
  services: GuestServiceStatus[];
  /** True while qemu-guest-agent runs (AgentConnected condition, exec probes). */
  agentConnected: boolean;
  /** The i6300esb device, armed once something in the guest feeds /dev/watchdog. */
  watchdog?: { action: 'reset' | 'poweroff' | 'shutdown'; armed: boolean };
  /** Guest-side IP (equals the launcher pod IP with masquerade). */
  ip: string;
}

export type ProbeOutcome =
  | { ok: true; status?: number; body?: string }
  | { ok: false; reason: 'refused' | 'timeout' | 'http-status' | 'no-agent' | 'exit-code'; status?: number; message: string };

export interface ConsoleSession {
  /** Bytes typed by the user. */
  write(data: string): void;
  /** Output from the guest's serial console. */
  onData(listener: (data: string) => void): () => void;
  close(): void;
}

export interface GuestRuntimeApi {
  /** Starts (or restarts) the guest of a VMI on a node; the VMI spec gives image, cloud-init, watchdog. */
  boot(vmi: KubeObject, ip: string): GuestInfo;
  get(vmiUid: string): GuestInfo | undefined;
  /** Destroys the domain (launcher pod gone, forced power-off). */
  destroy(vmiUid: string, reason?: ShutoffReason): void;
  /** ACPI shutdown request (graceful stop); the guest powers off after its shutdown time. */
  shutdown(vmiUid: string): void;
  pause(vmiUid: string): void;
  unpause(vmiUid: string): void;
  /** Faults and console actions. */
  hangKernel(vmiUid: string): void;
  crash(vmiUid: string): void;
  stopService(vmiUid: string, service: string): void;
  startService(vmiUid: string, service: string): void;
  /** What probes see, from outside (pod network) or through the guest agent. */
  httpGet(vmiUid: string, port: number | string, path: string, timeoutSeconds: number): ProbeOutcome;
  tcpConnect(vmiUid: string, port: number | string, timeoutSeconds: number): ProbeOutcome;
  exec(vmiUid: string, command: string[], timeoutSeconds: number): ProbeOutcome;
  guestAgentPing(vmiUid: string): ProbeOutcome;
  openConsole(vmiUid: string): ConsoleSession;
  /** Called whenever a guest's state, services or agent change (controllers enqueue the VMI). */
  onChange(listener: (vmiUid: string) => void): () => void;
}
