// VMI writes of the migration controllers. The VMI has no status subresource
// and several KubeVirt components write it at once (virt-controller's VMI and
// migration controllers, virt-handler), so like KubeVirt we send JSON patches
// that touch only the fields that changed instead of whole-object updates.

import type { KubeObject } from '../../api/object.ts';
import { isPlainObject } from '../../api/object.ts';
import type { ClusterClient } from '../../runtime/client.ts';
import { jsonClone } from '../../api/json-clone.ts';

export const VMI_RESOURCE = 'kubevirt.io/virtualmachineinstances';

type Op = { op: 'add' | 'remove' | 'test'; path: string; value?: unknown };

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mapOps(base: string, before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Op[] {
  if (same(before, after)) return [];
  if (!before || !after) return after ? [{ op: 'add', path: base, value: after }] : [{ op: 'remove', path: base }];
  const ops: Op[] = [];
  for (const k of Object.keys(before)) if (!(k in after)) ops.push({ op: 'remove', path: `${base}/${escape(k)}` });
  for (const [k, v] of Object.entries(after)) if (!same(before[k], v)) ops.push({ op: 'add', path: `${base}/${escape(k)}`, value: v });
  return ops;
}

/**
 * JSON patch from `before` to `after` over the fields a migration changes:
 * each top-level status field, and label and annotation keys.
 */
export function vmiPatchOps(before: KubeObject, after: KubeObject): Op[] {
  const status = (o: KubeObject): Record<string, unknown> | undefined => (isPlainObject(o.status) ? o.status : undefined);
  return [
    ...mapOps('/metadata/labels', before.metadata.labels, after.metadata.labels),
    ...mapOps('/metadata/annotations', before.metadata.annotations, after.metadata.annotations),
    ...mapOps('/status', status(before), status(after)),
  ];
}

/**
 * Applies `mutate` to a copy of the VMI and patches the difference. A test on
 * the UID guards against a VMI recreated under the same name. Returns the
 * stored VMI (unchanged when there was nothing to write).
 */
export async function patchVmi(client: ClusterClient, vmi: KubeObject, mutate: (draft: KubeObject) => void, extraTests: Op[] = []): Promise<KubeObject> {
  const draft = jsonClone(vmi);
  mutate(draft);
  const ops = vmiPatchOps(vmi, draft);
  if (!ops.length) return vmi;
  return client.patch(VMI_RESOURCE, vmi.metadata.namespace, vmi.metadata.name!, 'json',
    [{ op: 'test', path: '/metadata/uid', value: vmi.metadata.uid }, ...extraTests, ...ops]);
}
