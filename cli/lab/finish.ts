// `lab finish`: delete what `lab start` and the student made (the lab's
// namespaces and the cleanup objects outside them), then wait on the cluster
// clock until the namespaces are gone. Idempotent: with nothing left it says
// "nothing to clean up".

import { CoreV1Api, type V1Namespace } from '@kubernetes/client-node';
import type { ClusterConnection } from '../../graders/sdk/types.ts';
import type { Lab } from './loader.ts';
import { objectText } from './manifests.ts';
import { apiErrorMessage, ObjectClient } from './objects.ts';
import type { Progress } from './progress.ts';

export const FINISH_TIMEOUT_SECONDS = 600;
const POLL_SECONDS = 1;

export interface FinishSummary {
  /** Objects deleted by this run (namespaces included). */
  deleted: number;
  /** Namespaces that were already being deleted and were waited for. */
  awaited: number;
}

async function readNamespace(core: CoreV1Api, name: string): Promise<V1Namespace | undefined> {
  try {
    return await core.readNamespace({ name });
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw new Error(`cannot read namespace ${name}: ${apiErrorMessage(e)}`);
  }
}

export async function finishLab(lab: Lab, conn: ClusterConnection, progress: Progress): Promise<FinishSummary> {
  const core = conn.kubeConfig.makeApiClient(CoreV1Api);
  const objects = ObjectClient.forConfig(conn.kubeConfig);
  let deleted = 0;
  let awaited = 0;
  const pending: string[] = [];

  for (const ns of lab.spec.namespaces) {
    const existing = await readNamespace(core, ns);
    if (!existing) continue;
    pending.push(ns);
    if (existing.metadata?.deletionTimestamp) {
      progress.line(`namespace/${ns} is already being deleted`);
      awaited++;
      continue;
    }
    try {
      await core.deleteNamespace({ name: ns });
    } catch (e) {
      if ((e as { code?: number }).code === 404) continue;
      throw new Error(`cannot delete namespace ${ns}: ${apiErrorMessage(e)}`);
    }
    deleted++;
    progress.line(`namespace/${ns} deleted`);
  }

  for (const ref of lab.spec.cleanup) {
    if (await objects.remove(ref)) {
      deleted++;
      progress.line(`${objectText(ref)} deleted`);
    }
  }

  if (pending.length) {
    const item = progress.item(`waiting until namespace${pending.length === 1 ? '' : 's'} ${pending.join(', ')} ${pending.length === 1 ? 'is' : 'are'} gone`);
    const start = conn.time.now();
    for (;;) {
      const left: string[] = [];
      for (const ns of pending) if (await readNamespace(core, ns)) left.push(ns);
      const waited = (conn.time.now() - start) / 1000;
      if (!left.length) {
        item.done(`namespace${pending.length === 1 ? '' : 's'} ${pending.join(', ')} gone (after ${Math.round(waited)} s)`);
        break;
      }
      if (waited >= FINISH_TIMEOUT_SECONDS) {
        const msg = `timed out after ${FINISH_TIMEOUT_SECONDS} s waiting for namespace${left.length === 1 ? '' : 's'} ${left.join(', ')} to be deleted: see \`kubectl get namespace ${left[0]} -o yaml\` (status.conditions) for what holds ${left.length === 1 ? 'it' : 'them'}`;
        item.fail(msg);
        throw new Error(msg);
      }
      item.update(`${left.join(', ')} terminating, ${Math.round(waited)} s`);
      await conn.time.sleep(POLL_SECONDS);
    }
  }
  return { deleted, awaited };
}
