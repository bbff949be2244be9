// Turns a URL into what the request is about, as the apiserver's
// RequestInfoFactory does: group, version, namespace, resource, name, subresource, verb.

export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource: string;
  /** Extra path after the subresource (portforward/{port}). */
  subpath: string[];
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** `parts` are the path segments after `/api/v1` or `/apis/G/V`. */
export function parseResourcePath(group: string, version: string, parts: string[], method: string, query: URLSearchParams): ResourceRequest | null {
  let namespace: string | undefined;
  let rest = parts;
  if (rest.length >= 2 && rest[0] === 'namespaces') {
    if (rest.length === 2 || NAMESPACE_SUBRESOURCES.has(rest[2])) {
      // The namespace object itself.
      namespace = undefined;
    } else {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  if (!rest.length) return null;
  const [resource, name, subresource = '', ...subpath] = rest;
  const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: ResourceRequest['verb'];
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name === undefined ? (isWatch ? 'watch' : 'list') : (isWatch ? 'watch' : 'get');
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      return null;
  }
  return { group, version, namespace, resource, name, subresource, subpath, verb };
}
