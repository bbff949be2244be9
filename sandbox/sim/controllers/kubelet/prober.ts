// Runs one container probe and words the outcome as the kubelet does. The
// simulator has no real containers: only virt-launcher pods have something
// behind them (the VMI's guest), reached through the guest runtime; every
// other pod's probes succeed.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { GuestRuntimeApi, ProbeOutcome } from '../../guest/types.ts';

export interface ProbeRun {
  ok: boolean;
  /** The probe's output: what follows "<Kind> probe failed: " in the Unhealthy event. */
  output: string;
}

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

/** virt-launcher pods run a guest; the VMI's uid is in their created-by label. */
export function launcherVmiUid(pod: KubeObject): string | undefined {
  const labels = pod.metadata.labels ?? {};
  if (labels['kubevirt.io'] !== 'virt-launcher' || !pod.metadata.annotations?.['kubevirt.io/domain']) return undefined;
  return labels['kubevirt.io/created-by'] || undefined;
}

/** A named container port, or the number itself. */
export function resolvePort(port: unknown, container: Json): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return Number(port);
    const p = (Array.isArray(container.ports) ? container.ports : []).map(rec).find((x) => x.name === port);
    return typeof p?.containerPort === 'number' ? p.containerPort : undefined;
  }
  return undefined;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL the kubelet requests for an httpGet probe. */
export function probeUrl(httpGet: Json, podIP: string, port: number): string {
  const scheme = typeof httpGet.scheme === 'string' ? httpGet.scheme.toLowerCase() : 'http';
  const host = typeof httpGet.host === 'string' && httpGet.host ? httpGet.host : podIP;
  let path = typeof httpGet.path === 'string' ? httpGet.path : '';
  if (path && !path.startsWith('/')) path = `/${path}`;
  return `${scheme}://${hostPort(host, port)}${path}`;
}

/** The kubelet's text for a failed httpGet probe (Go net/http client errors). */
export function httpFailure(url: string, addr: string, o: Exclude<ProbeOutcome, { ok: true }>): string {
  switch (o.reason) {
    case 'refused': return `Get "${url}": dial tcp ${addr}: connect: connection refused`;
    case 'timeout': return `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
    case 'http-status': return o.status !== undefined ? `HTTP probe failed with statuscode: ${o.status}` : o.message;
    default: return o.message;
  }
}

/** The kubelet's text for a failed tcpSocket probe. */
export function tcpFailure(addr: string, o: Exclude<ProbeOutcome, { ok: true }>): string {
  switch (o.reason) {
    case 'refused': return `dial tcp ${addr}: connect: connection refused`;
    case 'timeout': return `dial tcp ${addr}: i/o timeout`;
    default: return o.message;
  }
}

/**
 * KubeVirt renders exec and guestAgentPing probes as
 * `virt-probe --domainName <ns>_<vmi> --timeoutSeconds <t> (--command <argv0> -- <args…> | --guestAgentPing)`.
 */
export function parseVirtProbe(command: string[]): { guestAgentPing: true; timeoutSeconds: number } | { command: string[]; timeoutSeconds: number } | undefined {
  if (command[0] !== 'virt-probe') return undefined;
  const at = command.indexOf('--timeoutSeconds');
  const timeoutSeconds = at >= 0 && /^\d+$/.test(command[at + 1] ?? '') ? Number(command[at + 1]) : 1;
  if (command.includes('--guestAgentPing')) return { guestAgentPing: true, timeoutSeconds };
  const c = command.indexOf('--command');
  if (c < 0) return undefined;
  const argv0 = command[c + 1];
  const dashes = command.indexOf('--', c + 2);
  const args = dashes >= 0 ? command.slice(dashes + 1) : [];
  return argv0 === undefined ? undefined : { command: [argv0, ...args], timeoutSeconds };
}

/** Runs a probe of a container of a pod against what stands behind it. */
export function runProbe(pod: KubeObject, container: Json, probe: Json, guests: GuestRuntimeApi | undefined): ProbeRun {
  const vmiUid = launcherVmiUid(pod);
  if (!vmiUid || !guests) return { ok: true, output: '' };
  const podIP = typeof rec(pod.status).podIP === 'string' ? rec(pod.status).podIP as string : '';
  const timeout = typeof probe.timeoutSeconds === 'number' && probe.timeoutSeconds >= 1 ? probe.timeoutSeconds : 1;
  if (isPlainObject(probe.httpGet)) {
    const port = resolvePort(probe.httpGet.port, container);
    if (port === undefined) return { ok: false, output: `couldn't find port: ${String(probe.httpGet.port)} in ${String(container.name)}` };
    const url = probeUrl(probe.httpGet, podIP, port);
    const path = typeof probe.httpGet.path === 'string' && probe.httpGet.path ? probe.httpGet.path : '/';
    const o = guests.httpGet(vmiUid, port, path.startsWith('/') ? path : `/${path}`, timeout);
    return o.ok ? { ok: true, output: '' } : { ok: false, output: httpFailure(url, hostPort(podIP, port), o) };
  }
  if (isPlainObject(probe.tcpSocket)) {
    const port = resolvePort(probe.tcpSocket.port, container);
    if (port === undefined) return { ok: false, output: `couldn't find port: ${String(probe.tcpSocket.port)} in ${String(container.name)}` };
    const host = typeof probe.tcpSocket.host === 'string' && probe.tcpSocket.host ? probe.tcpSocket.host : podIP;
    const o = guests.tcpConnect(vmiUid, port, timeout);
    return o.ok ? { ok: true, output: '' } : { ok: false, output: tcpFailure(hostPort(host, port), o) };
  }
  if (isPlainObject(probe.exec)) {
    const command = (Array.isArray(probe.exec.command) ? probe.exec.command : []).map(String);
    const vp = parseVirtProbe(command);
    if (!vp) return { ok: true, output: '' };
    const o = 'guestAgentPing' in vp ? guests.guestAgentPing(vmiUid) : guests.exec(vmiUid, vp.command, vp.timeoutSeconds);
    if (o.ok) return { ok: true, output: '' };
    if (o.reason === 'timeout' && timeout <= vp.timeoutSeconds) return { ok: false, output: `command "${command.join(' ')}" timed out` };
    return { ok: false, output: o.message };
  }
  return { ok: true, output: '' };
}
