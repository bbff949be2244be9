// Route host assignment, as openshift-apiserver does on create (library-go
// hostassignment.AllocateHost with the SimpleAllocationPlugin): a Route
// created without spec.host, spec.subdomain or a Subdomain wildcard policy
// gets `<name with "." replaced by "-">-<namespace>.<domain>`, where the domain
// is the cluster ingress config's appsDomain or domain, and the annotation
// openshift.io/host.generated=true. An update that empties the host keeps the
// old one (the Route kind's prepareForUpdate).

import type { AdmissionPlugin, ClusterReader } from '../api/admission.ts';
import { isPlainObject } from '../api/object.ts';
import { INGRESS_CONFIG, INGRESS_CONFIG_NAME, routeHostDomain } from '../kinds/openshift/ingress-config.ts';

export const HOST_GENERATED_ANNOTATION = 'openshift.io/host.generated';

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The host openshift-apiserver generates for a route. */
export function generatedRouteHost(name: string, namespace: string, domain: string): string {
  return `${name.replaceAll('.', '-')}-${namespace}.${domain}`;
}

/** The suffix generated hosts get in this cluster. */
export function clusterRouteDomain(cluster: ClusterReader): string {
  return routeHostDomain(cluster.get(INGRESS_CONFIG, undefined, INGRESS_CONFIG_NAME));
}

export function routeHostPlugin(): AdmissionPlugin {
  return {
    name: 'RouteHostAssignment',
    resources: ['route.openshift.io/routes'],
    phase: 'mutating',
    admit(req, cluster) {
      if (req.subresource !== '' || req.operation !== 'CREATE') return {};
      const spec = isPlainObject(req.object.spec) ? req.object.spec : (req.object.spec = {});
      if (text(spec.wildcardPolicy) === 'Subdomain') return {};
      if (text(spec.host) !== '' || text(spec.subdomain) !== '') return {};
      if (!req.name || !req.namespace) return {};
      spec.host = generatedRouteHost(req.name, req.namespace, clusterRouteDomain(cluster));
      req.object.metadata.annotations = { ...(req.object.metadata.annotations ?? {}), [HOST_GENERATED_ANNOTATION]: 'true' };
      return {};
    },
  };
}
