// oc expose svc/NAME: creates an unsecured Route to the service (oc's
// UnsecuredRoute): named after the service unless --name, the service's labels
// (plus -l), spec.to the service, spec.port.targetPort the first TCP port's name
// (or, when it has none, the first port's targetPort) unless --port says,
// --hostname / --path / --wildcard-policy as given; the host is otherwise left
// to the cluster to generate.

import type { OcContext } from './command.ts';
import { exposedServices } from './expose-target.ts';
import { checkOutput, printObject } from './printer.ts';

type Json = Record<string, unknown>;

interface ServicePort {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
}

function dryRunMode(v: string): 'none' | 'client' | 'server' {
  switch (v) {
    case 'none': case 'false': case '': return 'none';
    case 'client': case 'true': return 'client';
    case 'server': return 'server';
    default: throw new Error(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
  }
}

/** intstr: a number when the text is one. */
function routePort(v: string): { targetPort: number | string } {
  return { targetPort: /^[+-]?\d+$/.test(v) ? Number(v) : v };
}

/** generate.ParseLabels: `a=b,c=d`. */
function parseLabels(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const kv = part.split('=');
    if (kv.length !== 2 || !kv[0]) throw new Error(`unable to parse labels: invalid label spec: ${part}`);
    out[kv[0]] = kv[1];
  }
  return out;
}

export async function run(ctx: OcContext): Promise<void> {
  const names = exposedServices(ctx.parsed)!;
  const dryRun = dryRunMode(ctx.flag<string>('dry-run'));
  const output = ctx.flag<string>('output');
  checkOutput(output);
  const namespace = ctx.namespace();
  const explicitNs = ctx.clientConfig().namespace().explicit;
  const wildcard = ctx.flag<string>('wildcard-policy');
  if (wildcard && wildcard !== 'Subdomain' && wildcard !== 'None') throw new Error('only "Subdomain" or "None" are supported for wildcard-policy');

  const client = ctx.client();
  const nsPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`;
  const services: Json[] = [];
  for (const name of names) services.push(await client.get<Json>(`${nsPath}/${encodeURIComponent(name)}`, { target: { resource: 'services', name } }));
  if (services.length > 1) throw new Error(`multiple resources provided: [${ctx.args.join(' ')}]`);
  if (ctx.flag<string>('type')) throw new Error('cannot use --type when exposing route');

  const svc = services[0];
  const svcName = String((svc.metadata as Json).name);
  const ports = (Array.isArray((svc.spec as Json | undefined)?.ports) ? (svc.spec as Json).ports : []) as ServicePort[];
  const tcp = ports.find((p) => (p.protocol ?? 'TCP') === 'TCP');
  if (!tcp) throw new Error(`service ${JSON.stringify(svcName)} doesn't support TCP`);

  const labels: Record<string, string> = { ...((svc.metadata as Json).labels as Record<string, string> | undefined ?? {}) };
  const extra = ctx.flag<string>('labels');
  if (extra) Object.assign(labels, parseLabels(extra));
  const spec: Json = { to: { kind: 'Service', name: svcName } };
  const portFlag = ctx.flag<string>('port');
  // oc forces a port: the first TCP port's name, or the first port's targetPort when unnamed.
  if (portFlag) spec.port = routePort(portFlag);
  else if (tcp.name) spec.port = routePort(tcp.name);
  else spec.port = routePort(String(ports[0].targetPort ?? ports[0].port ?? ''));
  const host = ctx.flag<string>('hostname');
  if (host) spec.host = host;
  const path = ctx.flag<string>('path');
  if (path) spec.path = path;
  if (wildcard) spec.wildcardPolicy = wildcard;

  const metadata: Json = { name: ctx.flag<string>('name') || svcName };
  if (Object.keys(labels).length) metadata.labels = labels;
  if (explicitNs) metadata.namespace = namespace;
  let route: Json = { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata, spec };

  if (dryRun !== 'client') {
    route = await client.request<Json>('POST', `/apis/route.openshift.io/v1/namespaces/${encodeURIComponent(namespace)}/routes`, {
      body: route,
      query: { dryRun: dryRun === 'server' ? 'All' : undefined, fieldManager: ctx.flag<string>('field-manager') },
    });
  }
  ctx.io.out(printObject(route, output, { resource: 'route', group: 'route.openshift.io', action: 'exposed', dryRun: dryRun === 'none' ? undefined : dryRun, showManagedFields: ctx.flag<boolean>('show-managed-fields') }));
}
