// Reading, applying and deleting arbitrary objects by apiVersion and kind,
// through @kubernetes/client-node's generic object API, as `kubectl apply`
// and `kubectl delete` would. API errors become errors whose message is the
// Status message the server sent.

import { ApiException, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { objectText, type Manifest } from './manifests.ts';

/** The field manager of everything `lab start` and `lab solve` apply. */
export const FIELD_MANAGER = 'virtlab-lab';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** An object named by apiVersion, kind, namespace and name. */
export interface ObjectName {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The Status message of an API error (what kubectl prints after "Error from server"), else the error's text. */
export function apiErrorMessage(e: unknown): string {
  if (e instanceof ApiException) {
    let body: unknown = e.body;
    if (typeof body === 'string') {
      const raw: string = body;
      try {
        body = JSON.parse(raw);
      } catch {
        return raw.trim() ? raw.trim().slice(0, 300) : `the server answered ${e.code}`;
      }
    }
    const message = (body as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message ? message : `the server answered ${e.code}`;
  }
  const err = e as { message?: string; cause?: { code?: string } };
  if (err.cause?.code === 'ECONNREFUSED') return 'cannot reach the cluster: connection refused (is `lab sim` running?)';
  return err.message ?? String(e);
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

/** Generic object access with the scope of each kind (namespaced or not) from discovery. */
export class ObjectClient extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ObjectClient {
    const c = kc.makeApiClient(ObjectClient);
    c.setDefaultNamespace(kc);
    return c;
  }

  /** True when the kind is namespaced; an error naming the kind when the cluster does not serve it. */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    let r;
    try {
      r = await this.resource(apiVersion, kind);
    } catch (e) {
      if (isNotFound(e)) throw new Error(`the cluster does not serve ${apiVersion} (needed for kind ${kind})`);
      throw new Error(apiErrorMessage(e));
    }
    if (!r) throw new Error(`the cluster does not serve kind ${kind} in ${apiVersion}`);
    return r.namespaced;
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubernetesObject = KubernetesObject>(ref: ObjectName): Promise<T | undefined> {
    const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    try {
      return await this.read<T>(spec as T & { metadata: { name: string } });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new Error(apiErrorMessage(e));
    }
  }

  /**
   * Server-side apply (create or update), taking ownership of the fields the
   * manifest sets. A namespaced object without a namespace goes to
   * `defaultNamespace`. "unchanged" when the server kept the object as it was.
   */
  async apply(manifest: Manifest, defaultNamespace: string): Promise<{ result: ApplyResult; object: Manifest }> {
    const obj = structuredClone(manifest);
    if (await this.isNamespaced(obj.apiVersion, obj.kind)) obj.metadata.namespace ??= defaultNamespace;
    else delete obj.metadata.namespace;
    const before = await this.get({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace });
    let after: KubernetesObject;
    try {
      after = await this.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (e) {
      throw new Error(`cannot apply ${objectText(obj)}: ${apiErrorMessage(e)}`);
    }
    const result: ApplyResult = !before ? 'created' : before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
    return { result, object: obj };
  }

  /**
   * Deletes the object (dependents in the background); false when it did not
   * exist, which includes a kind the cluster does not serve (nothing of it can exist).
   */
  async remove(ref: ObjectName): Promise<boolean> {
    const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    try {
      // An unserved group is a 404 below; an unserved kind of a served group would be a bare "Unrecognized API version and kind" error.
      if (!(await this.resource(ref.apiVersion, ref.kind))) return false;
      await this.delete(spec, undefined, undefined, undefined, undefined, 'Background');
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw new Error(`cannot delete ${objectText(ref)}: ${apiErrorMessage(e)}`);
    }
  }
}
