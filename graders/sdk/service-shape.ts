// A Service's shape in the words of messages: what it selects, its ports,
// and where it forwards a port (a targetPort left out is the port itself:
// the API server defaults it so).

import type { V1Service, V1ServicePort } from '@kubernetes/client-node';

/** "app=web,tier=frontend", or "nothing (no selector)". */
export function describeServiceSelector(selector: Record<string, string> | undefined): string {
  const entries = Object.entries(selector ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : 'nothing (no selector)';
}

/** "80→8080, 443→8443", empty for a Service without ports. */
export function describeServicePorts(svc: V1Service): string {
  return (svc.spec?.ports ?? []).map((p) => `${p.port}→${p.targetPort ?? p.port}`).join(', ');
}

/** Where a Service sends one of its ports. */
export interface PortForwarding {
  servicePort: V1ServicePort;
  /** targetPort, or the port itself when targetPort is left out. */
  target: number | string;
}

/** Where the Service forwards `port`; undefined when it has no such port. */
export function forwardedPort(svc: V1Service, port: number): PortForwarding | undefined {
  const servicePort = (svc.spec?.ports ?? []).find((p) => p.port === port);
  return servicePort ? { servicePort, target: servicePort.targetPort ?? servicePort.port } : undefined;
}

/** True when the forwarding reaches `targetPort` (a name or a number, compared as the API does: as text). */
export function forwardsTo(f: PortForwarding, targetPort: number | string): boolean {
  return String(f.target) === String(targetPort);
}

/** "forwards port 80 to 80 (a targetPort left out equals the port)", "forwards port 80 to 8081". */
export function describeForwarding(f: PortForwarding): string {
  const port = f.servicePort.port;
  const toItself = String(f.target) === String(port) ? ' (a targetPort left out equals the port)' : '';
  return `forwards port ${port} to ${f.target}${toItself}`;
}
