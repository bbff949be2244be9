// route.openshift.io/v1 Route, as openshift-apiserver serves it (an aggregated
// API, not a CRD: strategic merge patch works, validation is Go code, and
// `oc get route` gets a server-side table). Defaults, validation messages and
// table cells follow openshift/library-go (route defaulting and validation) and
// openshift-apiserver's route strategy and printer. Host generation from the
// cluster ingress domain is wired by the API server, not here.

import type { FieldErrorLike } from '../../api/errors.ts';
import { nameErrors } from '../../api/names.ts';
import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import { definitions } from '../meta.ts';
import type { Schema } from '../schema.ts';
import { arr, dateTime, int, intOrString, obj, ref, str } from '../schema.ts';
import type { AdmissionResult, CellValue, KindDef, Operation } from '../types.ts';

export const ROUTE_V1 = 'com.github.openshift.api.route.v1';

type Json = Record<string, unknown>;

function o(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

// ---- schema ------------------------------------------------------------------

const routeRef = (name: string, description?: string): Schema => ref(`${ROUTE_V1}.${name}`, description);

definitions.define(`${ROUTE_V1}.RouteTargetReference`, obj({
  kind: str('Kind of the backend; only Service is allowed. Defaults to Service.'),
  name: str('Name of the Service.'),
  weight: int('Relative share of the traffic this backend gets, 0 to 256 (0 sends it none). Defaults to 100.'),
}, { description: 'A backend of a route: a Service and the share of requests it receives.' }));

definitions.define(`${ROUTE_V1}.RoutePort`, obj({
  targetPort: intOrString('Service port to send traffic to, by number or by name. When the route has no port, traffic may go to every port of the Service.'),
}, { description: 'The port of the backend Service the router sends traffic to.' }));

definitions.define(`${ROUTE_V1}.LocalObjectReference`, obj({
  name: str('Name of the object in the route namespace.'),
}, { description: 'A reference to an object in the same namespace.' }));

definitions.define(`${ROUTE_V1}.TLSConfig`, obj({
  termination: str('Where TLS is terminated: edge (at the router, plain HTTP to the Service), passthrough (the encrypted stream goes to the backend) or reencrypt (the router terminates and opens a new TLS connection to the backend).'),
  certificate: str('PEM certificate served by the router (edge and reencrypt).'),
  key: str('PEM private key of the certificate.'),
  caCertificate: str('PEM CA chain of the certificate.'),
  destinationCACertificate: str('PEM CA used to verify the backend certificate (reencrypt).'),
  insecureEdgeTerminationPolicy: str('What to do with plain HTTP requests to a TLS route: None (refuse), Allow (serve them) or Redirect (send them to HTTPS). Allow is not valid with passthrough.'),
  externalCertificate: routeRef('LocalObjectReference', 'A kubernetes.io/tls Secret holding the certificate and key, instead of certificate and key.'),
}, { description: 'TLS settings of a route.' }));

definitions.define(`${ROUTE_V1}.RouteSetHTTPHeader`, obj({
  value: str('Header value; may use HAProxy %[] expressions.'),
}, { description: 'The value a header is set to.' }));

definitions.define(`${ROUTE_V1}.RouteHTTPHeaderActionUnion`, obj({
  type: str('Set or Delete.'),
  set: routeRef('RouteSetHTTPHeader', 'The value for Set.'),
}, { description: 'What to do with a header.' }));

definitions.define(`${ROUTE_V1}.RouteHTTPHeader`, obj({
  name: str('Header name.'),
  action: routeRef('RouteHTTPHeaderActionUnion', 'What to do with the header.'),
}, { description: 'An action on one HTTP header.' }));

definitions.define(`${ROUTE_V1}.RouteHTTPHeaderActions`, obj({
  response: { ...arr(routeRef('RouteHTTPHeader'), 'Actions on response headers.'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
  request: { ...arr(routeRef('RouteHTTPHeader'), 'Actions on request headers.'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
}, { description: 'Header actions for requests and responses.' }));

definitions.define(`${ROUTE_V1}.RouteHTTPHeaders`, obj({
  actions: routeRef('RouteHTTPHeaderActions', 'Header actions.'),
}, { description: 'HTTP header handling of a route.' }));

definitions.define(`${ROUTE_V1}.RouteSpec`, obj({
  host: str('Public host name of the route (DNS-1123, at most 253 characters). Generated from the route name, namespace and the cluster ingress domain when left empty.'),
  subdomain: str('A subdomain of the router domain to serve, used when host is empty.'),
  path: str('Only requests whose path starts with this prefix (beginning with /) are sent to the route. Not supported with passthrough.'),
  to: routeRef('RouteTargetReference', 'The Service that receives the traffic.'),
  alternateBackends: {
    ...arr(routeRef('RouteTargetReference'), 'Up to three more Services that share the traffic with spec.to according to their weights.'),
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'kind'],
  },
  port: routeRef('RoutePort', 'The Service port traffic is sent to.'),
  tls: routeRef('TLSConfig', 'TLS termination; a route without it serves plain HTTP.'),
  wildcardPolicy: str('None (default) or Subdomain, to also serve every host under the parent domain of host.'),
  httpHeaders: routeRef('RouteHTTPHeaders', 'Request and response header changes.'),
}, { description: 'The desired state of a route.' }));

definitions.define(`${ROUTE_V1}.RouteIngressCondition`, obj({
  type: str('Admitted, or UnservableInFutureVersions.'),
  status: str('True, False or Unknown.'),
  reason: str('Why the route was not admitted, e.g. HostAlreadyClaimed.'),
  message: str('Human-readable details.'),
  lastTransitionTime: dateTime('When the condition last changed.'),
}, { description: 'The state of a route in one router.' }));

definitions.define(`${ROUTE_V1}.RouteIngress`, obj({
  host: str('Host the router serves the route on.'),
  routerName: str('Name of the router, e.g. default.'),
  conditions: {
    ...arr(routeRef('RouteIngressCondition'), 'Whether this router admitted the route.'),
    'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'],
  },
  wildcardPolicy: str('Wildcard policy the router applied.'),
  routerCanonicalHostname: str('External host name of the router, for DNS CNAME records.'),
}, { description: 'How one router handles the route.' }));

definitions.define(`${ROUTE_V1}.RouteStatus`, obj({
  ingress: { ...arr(routeRef('RouteIngress'), 'One entry per router that has seen the route.'), 'x-kubernetes-list-type': 'atomic' },
}, { description: 'The observed state of a route, written by the routers.' }));

// ---- defaults (library-go route defaulting) ----------------------------------

function defaultTarget(t: Json): void {
  if (s(t.kind) === '') t.kind = 'Service';
  if (t.weight === undefined || t.weight === null) t.weight = 100;
}

export function applyRouteDefaults(route: KubeObject): void {
  if (!isPlainObject(route.spec)) route.spec = {};
  const spec = route.spec as Json;
  if (s(spec.wildcardPolicy) === '') spec.wildcardPolicy = 'None';
  if (!isPlainObject(spec.to)) spec.to = {};
  defaultTarget(spec.to as Json);
  if (Array.isArray(spec.alternateBackends)) for (const b of spec.alternateBackends) if (isPlainObject(b)) defaultTarget(b);
  if (isPlainObject(spec.tls)) {
    const tls = spec.tls;
    if (s(tls.termination) === '' && s(tls.destinationCACertificate) === '') tls.termination = 'edge';
    if (tls.termination === 'Reencrypt') tls.termination = 'reencrypt';
    else if (tls.termination === 'Edge') tls.termination = 'edge';
    else if (tls.termination === 'Passthrough') tls.termination = 'passthrough';
  }
  const ingress = o(route.status).ingress;
  if (Array.isArray(ingress)) for (const i of ingress) if (isPlainObject(i) && s(i.wildcardPolicy) === '') i.wildcardPolicy = 'None';
}

// ---- validation (library-go pkg/route/validation) ----------------------------

const TERMINATIONS = ['edge', 'passthrough', 'reencrypt'];
const HEADER_NAME = /^[-!#$%&'*+.0-9A-Z^_`a-z|~]+$/;
const FORBIDDEN_HEADERS = ['strict-transport-security', 'proxy', 'cookie', 'set-cookie'];

function invalid(field: string, value: unknown, detail: string): FieldErrorLike {
  return { type: 'Invalid', field, value, detail };
}

function validateTarget(t: Json, path: string, errs: FieldErrorLike[]): void {
  if (s(t.name) === '') errs.push({ type: 'Required', field: `${path}.name` });
  if (t.kind !== 'Service') errs.push(invalid(`${path}.kind`, s(t.kind), 'must reference a Service'));
  if (typeof t.weight === 'number' && (t.weight < 0 || t.weight > 256)) errs.push(invalid(`${path}.weight`, t.weight, 'weight must be an integer between 0 and 256'));
}

function validateHeaders(list: unknown[], path: string, kind: 'req' | 'res', errs: FieldErrorLike[]): void {
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const h = o(raw);
    const p = `${path}[${i}]`;
    const name = s(h.name);
    if (seen.has(name)) errs.push({ type: 'Duplicate', field: `${p}.name`, value: name });
    seen.add(name);
    if (name.length === 0) errs.push({ type: 'Required', field: `${p}.name` });
    else if (name.length > 255) errs.push(invalid(`${p}.name`, name, 'name exceeds the maximum length, which is 255'));
    else if (FORBIDDEN_HEADERS.includes(name.toLowerCase())) errs.push({ type: 'Forbidden', field: `${p}.name`, detail: `the following headers may not be modified using this API: ${FORBIDDEN_HEADERS.join(', ')}` });
    else if (!HEADER_NAME.test(name)) errs.push(invalid(`${p}.name`, name, 'name must be a valid HTTP header name as defined in RFC 2616 section 4.2'));
    const action = o(h.action);
    const type = s(action.type);
    if (type !== 'Set' && type !== 'Delete') errs.push(invalid(`${p}.action.type`, type, 'type must be "Set" or "Delete"'));
    const hasSet = isPlainObject(action.set);
    if ((type === 'Set' && !hasSet) || (type !== 'Set' && hasSet)) {
      errs.push({ type: 'Required', field: `${p}.action.set`, detail: 'set is required when type is Set, and forbidden otherwise' });
    }
    if (hasSet) {
      const value = s(o(action.set).value);
      if (value.length === 0) errs.push({ type: 'Required', field: `${p}.action.set.value` });
      else if (value.length > 16384) errs.push(invalid(`${p}.action.set.value`, value, 'value exceeds the maximum length, which is 16384'));
      else if (!headerValueOk(value, kind)) {
        errs.push(invalid(`${p}.action.set.value`, value, `Either header value provided is not in correct format or the converter specified is not allowed. The dynamic header value  may use HAProxy's %[] syntax and otherwise must be a valid HTTP header value as defined in https://datatracker.ietf.org/doc/html/rfc7230#section-3.2 Sample fetchers allowed are ${kind}.hdr, ssl_c_der. Converters allowed are lower, base64.`));
      }
    }
  });
}

function headerValueOk(v: string, kind: 'req' | 'res'): boolean {
  // %% or %[<fetcher>(,<converter>)*] with an optional {Q,X,E} flag block; otherwise no control characters.
  const re = new RegExp(`^(?:%(?:%|(?:\\{[-+]?[QXE](?:,[-+]?[QXE])*\\})?\\[(?:${kind}\\.hdr\\([0-9A-Za-z-]+\\)|ssl_c_der)(?:,(?:lower|base64))*\\])|[^%\\x00-\\x1f\\x7f])+$`);
  return re.test(v);
}

/** validateRoute of library-go for a defaulted route (metadata is checked by the API server). */
export function validateRouteSpec(route: KubeObject, checkHostname = true): FieldErrorLike[] {
  const errs: FieldErrorLike[] = [];
  const spec = o(route.spec);
  const host = s(spec.host);
  if (host.length > 0) {
    if (nameErrors(host, 'subdomain').length) errs.push(invalid('spec.host', host, 'host must conform to DNS 952 subdomain conventions'));
    const allowNonCompliant = route.metadata.annotations?.['route.openshift.io/allow-non-dns-compliant-host'] === 'true';
    if (checkHostname && !allowNonCompliant) {
      for (const label of host.split('.')) for (const e of nameErrors(label, 'label')) errs.push(invalid('spec.host', host, e));
    }
  }
  const subdomain = s(spec.subdomain);
  if (subdomain.length > 0) {
    if (subdomain.length > 253) errs.push(invalid('spec.subdomain', subdomain, 'must be no more than 253 characters'));
    for (const label of subdomain.split('.')) {
      const le = nameErrors(label, 'label');
      if (le.length) errs.push(invalid('spec.subdomain', label, le.join(', ')));
    }
  }
  const wildcard = s(spec.wildcardPolicy);
  if (wildcard !== '') {
    if (wildcard !== 'None' && wildcard !== 'Subdomain') {
      errs.push({ type: 'NotSupported', field: 'spec.wildcardPolicy', value: wildcard, detail: 'supported values: "None", "Subdomain"' });
    } else if (wildcard === 'Subdomain' && host.length === 0) {
      errs.push(invalid('spec.wildcardPolicy', wildcard, 'host name not specified for wildcard policy'));
    }
  }
  const tls = isPlainObject(spec.tls) ? spec.tls : undefined;
  const termination = s(tls?.termination);
  if (isPlainObject(spec.httpHeaders)) {
    const actions = o(spec.httpHeaders.actions);
    const response = Array.isArray(actions.response) ? actions.response : [];
    const request = Array.isArray(actions.request) ? actions.request : [];
    if ((response.length || request.length) && tls && termination === 'passthrough') {
      errs.push(invalid('spec.tls.termination', termination, 'only edge and re-encrypt routes are supported for providing customized headers.'));
    }
    if (response.length > 20) errs.push(invalid('spec.httpHeaders.actions.response', response, "response headers list can't exceed 20 items"));
    else validateHeaders(response, 'spec.httpHeaders.actions.response', 'res', errs);
    if (request.length > 20) errs.push(invalid('spec.httpHeaders.actions.request', request, "request headers list can't exceed 20 items"));
    else validateHeaders(request, 'spec.httpHeaders.actions.request', 'req', errs);
  }
  const path = s(spec.path);
  if (path.length > 0 && !path.startsWith('/')) errs.push(invalid('spec.path', path, 'path must begin with /'));
  if (path.length > 0 && tls && termination === 'passthrough') errs.push(invalid('spec.path', path, 'passthrough termination does not support paths'));

  validateTarget(o(spec.to), 'spec.to', errs);
  const backends = Array.isArray(spec.alternateBackends) ? spec.alternateBackends : [];
  if (backends.length > 3) errs.push({ type: 'Required', field: 'spec.alternateBackends', detail: 'cannot specify more than 3 alternate backends' });
  backends.forEach((b, i) => validateTarget(o(b), `spec.alternateBackends[${i}]`, errs));

  if (isPlainObject(spec.port)) {
    const tp = spec.port.targetPort;
    if (tp === undefined || tp === null || tp === 0 || tp === '') errs.push({ type: 'Required', field: 'spec.port.targetPort' });
  }

  if (tls) {
    const p = 'spec.tls';
    switch (termination) {
      case 'reencrypt':
        break;
      case 'passthrough':
        if (s(tls.certificate)) errs.push(invalid(`${p}.certificate`, 'redacted certificate data', 'passthrough termination does not support certificates'));
        if (s(tls.key)) errs.push(invalid(`${p}.key`, 'redacted key data', 'passthrough termination does not support certificates'));
        if (s(tls.caCertificate)) errs.push(invalid(`${p}.caCertificate`, 'redacted ca certificate data', 'passthrough termination does not support certificates'));
        if (s(tls.destinationCACertificate)) errs.push(invalid(`${p}.destinationCACertificate`, 'redacted destination ca certificate data', 'passthrough termination does not support certificates'));
        break;
      case 'edge':
        if (s(tls.destinationCACertificate)) errs.push(invalid(`${p}.destinationCACertificate`, 'redacted destination ca certificate data', 'edge termination does not support destination certificates'));
        break;
      default:
        errs.push({ type: 'NotSupported', field: `${p}.termination`, value: termination, detail: `supported values: ${TERMINATIONS.map((t) => JSON.stringify(t)).join(', ')}` });
    }
    const insecure = s(tls.insecureEdgeTerminationPolicy);
    if (insecure !== '') {
      if ((termination === 'edge' || termination === 'reencrypt') && !['None', 'Allow', 'Redirect'].includes(insecure)) {
        errs.push(invalid(`${p}.insecureEdgeTerminationPolicy`, insecure, 'invalid value for InsecureEdgeTerminationPolicy option, acceptable values are None, Allow, Redirect, or empty'));
      } else if (termination === 'passthrough' && insecure !== 'None' && insecure !== 'Redirect') {
        errs.push(invalid(`${p}.insecureEdgeTerminationPolicy`, insecure, 'invalid value for InsecureEdgeTerminationPolicy option, acceptable values are None, Redirect, or empty'));
      }
    }
  }
  return errs;
}

// ---- table cells (openshift-apiserver's route printer) -----------------------

export function routeHostCell(route: KubeObject): string {
  const spec = o(route.spec);
  let host = s(spec.host);
  const ingress = o(route.status).ingress;
  if (!Array.isArray(ingress) || ingress.length === 0) return host;
  let matched = false;
  let reason = '';
  let admitted = 0;
  let rejected = 0;
  for (const raw of ingress) {
    const ing = o(raw);
    const cond = (Array.isArray(ing.conditions) ? ing.conditions : []).map(o).find((c) => c.type === 'Admitted');
    if (cond?.status === 'True') {
      admitted++;
      if (!matched) {
        matched = s(ing.host) === s(spec.host);
        host = s(ing.host);
      }
    } else if (cond?.status === 'False') {
      reason = s(cond.reason);
      rejected++;
    }
  }
  if (admitted === 0 && rejected > 0) return reason;
  if (rejected > 0) return `${host} ... ${rejected} rejected`;
  if (admitted === 0) return 'Pending';
  if (admitted > 1) return `${host} ... ${admitted - 1} more`;
  return host;
}

export function routeServicesCell(route: KubeObject): string {
  const spec = o(route.spec);
  const backends = [o(spec.to), ...(Array.isArray(spec.alternateBackends) ? spec.alternateBackends.map(o) : [])];
  const weight = (b: Json): number | undefined => (typeof b.weight === 'number' ? b.weight : undefined);
  const total = backends.reduce((acc, b) => acc + (weight(b) ?? 0), 0);
  return backends.map((b) => {
    const w = weight(b);
    if (w === undefined || (backends.length === 1 && total !== 0)) return s(b.name);
    if (total === 0) return `${s(b.name)}(0%)`;
    return `${s(b.name)}(${Math.trunc((w * 100) / total)}%)`;
  }).join(',');
}

export function routePortCell(route: KubeObject): string {
  const spec = o(route.spec);
  if (!isPlainObject(spec.port)) return '<all>';
  const tp = spec.port.targetPort;
  if (typeof tp === 'number') return String(tp);
  if (typeof tp === 'string') return tp;
  return '0';
}

export function routeTerminationCell(route: KubeObject): string {
  const tls = o(o(route.spec).tls);
  const term = s(tls.termination);
  const insecure = s(tls.insecureEdgeTerminationPolicy);
  if (term && insecure) return `${term}/${insecure}`;
  if (term) return term;
  if (insecure) return `default/${insecure}`;
  return '';
}

const cell = (f: (r: KubeObject) => string) => (r: KubeObject): CellValue => f(r);

export const routeKind: KindDef = {
  group: 'route.openshift.io',
  version: 'v1',
  kind: 'Route',
  plural: 'routes',
  singular: 'route',
  namespaced: true,
  categories: ['all'],
  custom: false,
  subresources: { status: true },
  schemaName: `${ROUTE_V1}.Route`,
  schema: obj({
    spec: routeRef('RouteSpec', 'The desired state of the route.'),
    status: routeRef('RouteStatus', 'The state of the route in each router.'),
  }),
  description: 'Exposes a Service at a host name through the OpenShift router (HAProxy), with optional TLS termination, path matching and weighted backends.',
  printerColumns: [
    { name: 'Host/Port', type: 'string', description: 'Host name the route is served on, or why it is not admitted.', cell: cell(routeHostCell) },
    { name: 'Path', type: 'string', description: 'Path prefix of the route.', cell: cell((r) => s(o(r.spec).path)) },
    { name: 'Services', type: 'string', description: 'Backend Services and their share of the traffic.', cell: cell(routeServicesCell) },
    { name: 'Port', type: 'string', description: 'Target port of the backends.', cell: cell(routePortCell) },
    { name: 'Termination', type: 'string', description: 'TLS termination and insecure edge policy.', cell: cell(routeTerminationCell) },
    { name: 'Wildcard', type: 'string', description: 'Wildcard policy.', cell: cell((r) => s(o(r.spec).wildcardPolicy)) },
  ],
  selectableFields: {
    'spec.path': (r) => s(o(r.spec).path),
    'spec.host': (r) => s(o(r.spec).host),
    'spec.to.name': (r) => s(o(o(r.spec).to).name),
  },
  defaults: applyRouteDefaults,
  prepareForCreate(route) {
    route.status = {};
  },
  prepareForUpdate(route, old) {
    // An empty host on update keeps the current one (re-applying the original manifest).
    const spec = o(route.spec);
    if (s(spec.host) === '' && s(o(old.spec).host) !== '') {
      route.spec = { ...spec, host: s(o(old.spec).host) };
    }
  },
  validate(route) {
    return validateRouteSpec(route, true);
  },
  validateUpdate(route, old) {
    const cur = s(o(route.spec).wildcardPolicy);
    const prev = s(o(old.spec).wildcardPolicy);
    return cur !== prev ? [invalid('spec.wildcardPolicy', cur, 'field is immutable')] : [];
  },
  // Strategy warnings (WarningsOnCreate/WarningsOnUpdate), reported like admission warnings.
  admit(route: KubeObject, _old: KubeObject | undefined, op: Operation): AdmissionResult {
    if (op === 'DELETE') return {};
    const spec = o(route.spec);
    if (s(spec.host) !== '' && s(spec.subdomain) !== '') return { warnings: ['spec.host is set; spec.subdomain may be ignored'] };
    return {};
  },
};
