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
  watchdog?: {
    action: 'reset' | 'poweroff' | 'shutdown';
    armed: boolean;
    /** Seconds the device waits for a feed before acting (the daemon's watchdog-timeout). */
    timeoutSeconds?: number;
    /** Cluster-clock ms when the action fires if nothing feeds the device meanwhile (armed and starving). */
    firesAt?: number;
  };
  /**
   * The address the VMI reports and probes reach: the launcher pod IP. Inside
   * the guest, eth0 holds 10.0.2.2 behind masquerade and this IP with bridge.
   */
  ip: string;
  /** The boot disk's image reference and what the guest agent would report about the OS. */
  image?: string;
  os?: GuestOsInfo;
  /** Boots of this domain so far (a watchdog reset or a reboot adds one). */
  bootCount?: number;
  /** The node the domain moved to in its last live migration, if any. */
  node?: string;
}

/** The guest agent's guest-get-osinfo answer (VMI status.guestOSInfo). */
export interface GuestOsInfo {
  id: string;
  name: string;
  prettyName: string;
  version: string;
  versionId: string;
  kernelRelease: string;
  kernelVersion: string;
  machine: string;
}

/** What boot() cannot read from the VMI alone. */
export interface BootOptions {
  /** cloud-init user data resolved by the caller (userDataSecretRef); wins over the VMI's inline data. */
  userData?: string;
  /** The boot disk's image when it is not a containerDisk (e.g. a DataVolume imported from a registry). */
  image?: string;
}

/** An HTTP request a guest sends to an address that is not its own (curl in the console). */
export interface GuestHttpRequest {
  method: string;
  /** Absolute URL as typed, with the scheme added if it was missing. */
  url: string;
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

export type GuestHttpResult =
  | { status: number; headers?: Record<string, string>; body: string }
  /** `protocol`: something answered, but not in HTTP (a database port). */
  | { error: 'refused' | 'timeout' | 'unresolved' | 'protocol' };

/**
 * The cluster network as seen from inside a guest; provided by the data plane.
 * Without it a guest reaches only itself.
 */
export interface GuestNetwork {
  /** DNS lookup from the guest (the VMI namespace's search domains apply); undefined = no such name. */
  resolve?(from: GuestInfo, name: string): { name: string; addresses: string[] } | undefined;
  /** Delivers an HTTP request to a cluster IP, pod IP, service name, route host… */
  http?(from: GuestInfo, request: GuestHttpRequest): GuestHttpResult;
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
  /** Called when the guest side ends the session: another console attached (as virt-handler does), the domain shut off, the guest was forgotten. */
  onClose?(listener: () => void): () => void;
}

export interface GuestRuntimeApi {
  /** Starts (or restarts) the guest of a VMI on a node; the VMI spec gives image, cloud-init, watchdog. */
  boot(vmi: KubeObject, ip: string, options?: BootOptions): GuestInfo;
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
  /** Graceful reboot inside the same domain (softreboot subresource). */
  reboot?(vmiUid: string): void;
  /** Hard reset of the same domain (reset subresource); nothing stops cleanly. */
  reset?(vmiUid: string): void;
  /** SIGKILL a service's main process: unlike stopService, a killed watchdog daemon leaves the device armed. */
  killService?(vmiUid: string, service: string): void;
  /**
   * A live migration finished: the running domain now lives behind the target
   * launcher pod (new address, maybe a node) without rebooting.
   */
  migrated?(vmiUid: string, ip: string, node?: string): void;
  /** Drops everything about a guest (its VMI is gone). */
  forget?(vmiUid: string): void;
  /** Optional view of the cluster network for curl and getent inside guests. */
  network?: GuestNetwork;
}
