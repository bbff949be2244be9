// `lab start`: make the cluster ready for a lab. Idempotent: namespaces are
// created when missing, setup manifests applied (create or update), and the
// ready conditions awaited on the cluster clock; a second start changes
// nothing and says so.

import { CoreV1Api, type V1Namespace } from '@kubernetes/client-node';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import type { Lab } from './loader.ts';
import { objectText } from './manifests.ts';
import { checkClusterNeeds } from './needs.ts';
import { apiErrorMessage, ObjectClient, type ApplyResult } from './objects.ts';
import type { Progress } from './progress.ts';
import { waitUntil } from './ready.ts';

/** Label on the namespaces `lab start` creates: which lab they belong to. */
export const LAB_LABEL = 'virtlab.dev/lab';

export interface StartSummary {
  /** Objects (namespaces included) created or changed. */
  changed: number;
  /** Cluster seconds spent waiting for the ready conditions. */
  readySeconds: number;
}

export async function startLab(lab: Lab, conn: ClusterConnection, progress: Progress): Promise<StartSummary> {
  await checkClusterNeeds(lab.spec, conn);
  const core = conn.kubeConfig.makeApiClient(CoreV1Api);
  const objects = ObjectClient.forConfig(conn.kubeConfig);
  let changed = 0;

  for (const ns of lab.spec.namespaces) {
    let existing: V1Namespace | undefined;
    try {
      existing = await core.readNamespace({ name: ns });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw new Error(`cannot read namespace ${ns}: ${apiErrorMessage(e)}`);
    }
    if (existing?.metadata?.deletionTimestamp) {
      throw new Error(`namespace ${ns} is still being deleted (by \`lab finish\`?): run \`lab start ${lab.id}\` again once it is gone`);
    }
    if (existing) {
      progress.line(`namespace/${ns} unchanged`);
      continue;
    }
    try {
      await core.createNamespace({ body: { metadata: { name: ns, labels: { [LAB_LABEL]: lab.id } } } });
    } catch (e) {
      throw new Error(`cannot create namespace ${ns}: ${apiErrorMessage(e)}`);
    }
    changed++;
    progress.line(`namespace/${ns} created`);
  }

  const primary = lab.spec.namespaces[0];
  for (const { object } of lab.setup) {
    const { result, object: applied } = await objects.apply(object, primary);
    if (result !== 'unchanged') changed++;
    progress.line(`${objectText(applied)} ${result satisfies ApplyResult}`);
  }

  const t0 = conn.time.now();
  for (const c of lab.spec.setup.ready) await waitUntil(objects, conn.time, c, progress);
  return { changed, readySeconds: Math.round((conn.time.now() - t0) / 1000) };
}
