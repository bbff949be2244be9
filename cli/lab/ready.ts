// Waiting, on the cluster's clock, until an object satisfies a condition
// (lab.yaml setup.ready, solve.yaml wait steps): it exists, or a JSONPath of
// it has a value, or that value equals the expected text.

import { compileJsonPath } from '../../sandbox/sim/api/jsonpath.ts';
import type { ClusterTime } from '../../graders/sdk/types.ts';
import type { ObjectClient } from './objects.ts';
import type { ReadyCondition } from './schema.ts';
import type { Progress } from './progress.ts';
import { objectText } from './manifests.ts';

export const DEFAULT_READY_TIMEOUT_SECONDS = 300;
/** Cluster seconds between two looks at the object. */
const POLL_SECONDS = 1;

/** The condition as a user reads it: `VirtualMachine ha-review/web1 {.status.printableStatus} = Stopped`. */
export function conditionText(c: ReadyCondition): string {
  const target = objectText(c);
  if (!c.jsonPath) return `${target} exists`;
  return c.equals === undefined ? `${target} has ${c.jsonPath}` : `${target} ${c.jsonPath} = ${c.equals}`;
}

/** The JSONPath's value as kubectl -o jsonpath prints it: matches joined by spaces. */
function valueText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** What the object shows now, and whether the condition holds. */
export async function observe(client: ObjectClient, c: ReadyCondition): Promise<{ holds: boolean; seen: string }> {
  const obj = await client.get({ apiVersion: c.apiVersion, kind: c.kind, name: c.name, namespace: c.namespace });
  if (!obj) return { holds: false, seen: 'not found' };
  if (!c.jsonPath) return { holds: true, seen: 'exists' };
  const value = compileJsonPath(c.jsonPath)(obj).map(valueText).join(' ');
  const holds = c.equals === undefined ? value !== '' : value === c.equals;
  return { holds, seen: value === '' ? 'no value' : value };
}

/** Waits until the condition holds; throws with what was last seen when the timeout passes. */
export async function waitUntil(client: ObjectClient, time: ClusterTime, c: ReadyCondition, progress: Progress): Promise<void> {
  const timeout = c.timeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS;
  const text = conditionText(c);
  const item = progress.item(`waiting until ${text}`);
  const start = time.now();
  for (;;) {
    let seen: string;
    try {
      const o = await observe(client, c);
      seen = o.seen;
      if (o.holds) {
        item.done(`${text} (after ${Math.round((time.now() - start) / 1000)} s)`);
        return;
      }
    } catch (e) {
      item.fail(`${text}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    const waited = (time.now() - start) / 1000;
    if (waited >= timeout) {
      const msg = `timed out after ${timeout} s waiting until ${text}; it is ${seen === 'not found' ? 'not found' : `"${seen}"`}`;
      item.fail(msg);
      throw new Error(msg);
    }
    item.update(`${seen}, ${Math.round(waited)} s`);
    await time.sleep(POLL_SECONDS);
  }
}
