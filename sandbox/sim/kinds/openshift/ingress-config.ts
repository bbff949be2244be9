// config.openshift.io/v1 Ingress: the cluster-wide ingress configuration
// (`oc get ingresses.config.openshift.io cluster -o yaml`). Its domain is the
// suffix of generated Route hosts and of the default router's canonical host
// name (router-default.<domain>). There is one, named cluster.

import type { FieldErrorLike } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { arr, freeform, obj, str } from '../schema.ts';
import type { KindDef } from '../types.ts';

export const INGRESS_CONFIG = 'config.openshift.io/ingresses';
export const INGRESS_CONFIG_NAME = 'cluster';
/** openshift-apiserver's route host suffix when no ingress domain is configured. */
export const FALLBACK_ROUTE_DOMAIN = 'router.default.svc.cluster.local';
/** The default IngressController's name, which is also its routers' routerName. */
export const DEFAULT_ROUTER_NAME = 'default';

function spec(o: KubeObject | undefined): Record<string, unknown> {
  return isPlainObject(o?.spec) ? o.spec : {};
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** spec.domain: the wildcard domain of the default IngressController (*.apps.<cluster>.<base>). */
export function ingressDomain(config: KubeObject | undefined): string {
  return text(spec(config).domain) || FALLBACK_ROUTE_DOMAIN;
}

/** The suffix of generated Route hosts: spec.appsDomain when set, else spec.domain. */
export function routeHostDomain(config: KubeObject | undefined): string {
  return text(spec(config).appsDomain) || ingressDomain(config);
}

/** status.ingress[].routerCanonicalHostname of a router: router-<name>.<domain>. */
export function routerCanonicalHostname(config: KubeObject | undefined, routerName = DEFAULT_ROUTER_NAME): string {
  return `router-${routerName}.${ingressDomain(config)}`;
}

export const ingressConfigKind: KindDef = {
  group: 'config.openshift.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: false,
  custom: true,
  subresources: { status: true },
  schemaName: 'com.github.openshift.api.config.v1.Ingress',
  schema: obj({
    spec: obj({
      domain: str('Suffix of generated route host names (<route>-<namespace>.<domain>) and the wildcard domain of the default ingress controller. Cannot change once set.'),
      appsDomain: str('Optional domain used instead of domain for generated route host names; may change after installation.'),
      componentRoutes: arr(freeform('A platform route (console, oauth…) whose host name and certificate an administrator overrides.'), 'Host name and serving certificate overrides of platform routes.'),
      requiredHSTSPolicies: arr(freeform('An HSTS policy required on routes matching a domain pattern.'), 'HSTS policies routes must carry.'),
      loadBalancer: obj({
        platform: obj({
          type: str('Platform of the load balancer; empty on bare metal.'),
          aws: freeform('AWS load balancer settings (NLB or Classic).'),
        }, { description: 'Platform-specific load balancer settings.' }),
      }, { description: 'Load balancer settings of the default ingress controller.' }),
    }, { description: 'User-settable ingress configuration.' }),
    status: obj({
      componentRoutes: arr(freeform('The state of one platform route.'), 'Platform routes whose host name can be configured.'),
      defaultPlacement: str('Where the default ingress controller runs: Workers or ControlPlane.'),
    }, { description: 'Observed ingress configuration.' }),
  }, { required: ['spec'] }),
  description: 'Cluster-wide ingress configuration, including the default domain of routes. There is one, named cluster.',
  printerColumns: [],
  prepareForCreate(o) {
    delete o.status;
  },
  validateUpdate(o, old): FieldErrorLike[] {
    // The CRD's CEL rule on spec.domain: self == oldSelf.
    const cur = spec(o).domain;
    const prev = spec(old).domain;
    if (prev !== undefined && cur !== prev) return [{ type: 'Invalid', field: 'spec.domain', value: 'string', detail: 'domain is immutable once set' }];
    return [];
  },
};
