// Behavioural checks: inject a Fault (embedded cluster only, capability
// `faults`), wait on the cluster's clock for the lab's HA setup to recover,
// and report how long recovery took. The fault is always deleted afterwards,
// whatever the check's body does, so a grade never leaves the cluster broken.

import type { Fault, FaultSpec } from './kinds.ts';
import type { ClusterConnection, Measurement } from './types.ts';
import { apiClients, getCustom, isNotFound, listCustom, Resources, type ListOptions } from './queries/client.ts';

/** Labels every fault a grader creates, so instructors can tell them from their own. */
export const GRADER_FAULT_LABEL = 'virtlab.dev/created-by';

export function getFault(conn: ClusterConnection, name: string): Promise<Fault | undefined> {
  return getCustom<Fault>(conn, Resources.faults, undefined, name);
}

export function listFaults(conn: ClusterConnection, opts?: ListOptions): Promise<Fault[]> {
  return listCustom<Fault>(conn, Resources.faults, undefined, opts);
}

function requireFaults(conn: ClusterConnection, what: string): void {
  if (!conn.capabilities.has('faults')) {
    throw new Error(`${what} needs the "faults" capability (the embedded cluster's sim.virtlab.dev Faults); declare requires: ['faults'] on the check so that it is skipped elsewhere`);
  }
}

function targetText(spec: FaultSpec): string {
  const t = spec.target;
  return `${t.kind ?? (spec.type.startsWith('Node') || spec.type === 'KubeletStop' || spec.type === 'NetworkPartition' ? 'Node' : 'VirtualMachineInstance')} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

export interface WithFaultOptions {
  /** Cluster seconds to wait for the fault to take effect (status.phase Active) before the body runs (default 60; 0 skips waiting). */
  activeTimeoutSeconds?: number;
  /** Aborts the wait (the fault is still deleted). */
  signal?: AbortSignal;
}

/** What the body of withFault gets. */
export interface FaultHandle {
  /** The fault as last read (Active unless activeTimeoutSeconds was 0). */
  fault: Fault;
  name: string;
  /** Cluster time (ms) when the fault took effect, or when it was created if not waited for. */
  activatedAt: number;
  /** Deletes the fault now (undoing it: a node powers back on, a service starts); withFault then has nothing left to do. */
  clear(): Promise<void>;
}

/**
 * Creates a Fault, waits until it is in effect, runs `body`, and deletes the
 * fault afterwards even when the body throws. A fault that does not take
 * effect is an error (the check is ERROR, never PASS).
 */
export async function withFault<T>(
  conn: ClusterConnection, spec: FaultSpec, body: (fault: FaultHandle) => Promise<T>, opts: WithFaultOptions = {},
): Promise<T> {
  requireFaults(conn, `injecting ${spec.type} into ${targetText(spec)}`);
  const { custom } = apiClients(conn);
  const { group, version, plural } = Resources.faults;
  const manifest = {
    apiVersion: `${group}/${version}`,
    kind: 'Fault',
    metadata: { generateName: `grader-${spec.type.toLowerCase()}-`, labels: { [GRADER_FAULT_LABEL]: 'grader' } },
    spec,
  };
  let created: Fault;
  try {
    created = await custom.createClusterCustomObject({ group, version, plural, body: manifest }) as Fault;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const body = (e as { body?: unknown }).body;
    let status = '';
    try {
      status = typeof body === 'string' ? (JSON.parse(body) as { message?: string }).message ?? '' : '';
    } catch { /* not a Status */ }
    throw new Error(`cannot create a ${spec.type} fault on ${targetText(spec)}: ${status || msg}`);
  }
  const name = created.metadata.name;
  let cleared = false;
  const clear = async (): Promise<void> => {
    if (cleared) return;
    cleared = true;
    try {
      await custom.deleteClusterCustomObject({ group, version, plural, name });
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`cannot delete fault ${name} (${spec.type} on ${targetText(spec)}): ${e instanceof Error ? e.message : String(e)}: delete it by hand (lab fault delete ${name})`);
    }
  };

  let result: T;
  try {
    const activeTimeout = opts.activeTimeoutSeconds ?? 60;
    let fault = created;
    let activatedAt = conn.time.now();
    if (activeTimeout > 0) {
      const waited = await waitFor(conn, async () => {
        const f = await getFault(conn, name);
        if (!f) throw new Error(`fault ${name} (${spec.type} on ${targetText(spec)}) disappeared before it took effect`);
        fault = f;
        return f.status?.phase === 'Active' ? f : undefined;
      }, {
        timeoutSeconds: activeTimeout,
        pollSeconds: 1,
        what: `fault ${name} (${spec.type} on ${targetText(spec)}) to take effect`,
        describe: () => `it is ${fault.status?.phase ?? 'not yet processed'}${fault.status?.message ? `: ${fault.status.message}` : ''}`,
        signal: opts.signal,
      });
      if (!waited.ok) throw new Error(waited.message);
      const at = waited.value.status?.activatedAt ? Date.parse(waited.value.status.activatedAt) : NaN;
      activatedAt = Number.isNaN(at) ? conn.time.now() : at;
    }
    result = await body({ fault, name, activatedAt, clear });
  } catch (e) {
    try {
      await clear();
    } catch (cleanup) {
      if (e instanceof Error) e.message += ` (and ${cleanup instanceof Error ? cleanup.message : String(cleanup)})`;
    }
    throw e;
  }
  await clear();
  return result;
}

export interface WaitForOptions {
  /** Cluster seconds to wait at most. */
  timeoutSeconds: number;
  /** Cluster seconds between two looks (default 5). */
  pollSeconds?: number;
  /** What is awaited, for the timeout message: "VM web1 to run again on another node". */
  what?: string;
  /** The state last observed, for the timeout message: called once when time is up. */
  describe?: () => string | Promise<string>;
  /** Stops waiting (the result is a timeout saying it was cancelled). */
  signal?: AbortSignal;
}

export type WaitResult<T> =
  | { ok: true; value: T; seconds: number }
  | { ok: false; seconds: number; message: string; lastState?: string };

/**
 * Polls `condition` on the cluster's clock (conn.time) until it returns a
 * value other than undefined, null or false, and measures the cluster time
 * that took. Times out with a message saying what was awaited and the state
 * last observed. Errors thrown by `condition` propagate (ERROR).
 */
export async function waitFor<T>(
  conn: ClusterConnection,
  condition: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitForOptions,
): Promise<WaitResult<T>> {
  const poll = opts.pollSeconds ?? 5;
  if (!(poll > 0)) throw new Error(`waitFor: pollSeconds must be > 0, got ${poll}`);
  if (!(opts.timeoutSeconds >= 0)) throw new Error(`waitFor: timeoutSeconds must be ≥ 0, got ${opts.timeoutSeconds}`);
  const start = conn.time.now();
  const elapsed = (): number => Math.round((conn.time.now() - start) / 10) / 100;
  for (;;) {
    if (opts.signal?.aborted) {
      return { ok: false, seconds: elapsed(), message: `stopped waiting${opts.what ? ` for ${opts.what}` : ''} after ${elapsed()} s: the grade was cancelled` };
    }
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return { ok: true, value: value as T, seconds: elapsed() };
    const spent = elapsed();
    if (spent >= opts.timeoutSeconds) {
      const lastState = opts.describe ? await opts.describe() : undefined;
      const what = opts.what ? ` for ${opts.what}` : '';
      return {
        ok: false,
        seconds: spent,
        message: `timed out after ${spent} s of cluster time waiting${what}${lastState ? `: ${lastState}` : ''}`,
        ...(lastState !== undefined ? { lastState } : {}),
      };
    }
    const before = conn.time.now();
    await conn.time.sleep(Math.min(poll, opts.timeoutSeconds - spent));
    // A ClusterTime whose sleep lets no time pass would poll forever.
    if (conn.time.now() <= before) throw new Error('waitFor: the cluster clock did not move during ClusterTime.sleep');
  }
}

/** Cluster seconds since `sinceMs` (cluster time, e.g. FaultHandle.activatedAt), to a tenth of a second: what behavioural checks report. */
export function secondsSince(conn: ClusterConnection, sinceMs: number): number {
  return Math.round((conn.time.now() - sinceMs) / 100) / 10;
}

/** A recovery time for CheckResult.measurements. */
export function measured(name: string, seconds: number): Measurement {
  return { name, value: seconds, unit: 'seconds' };
}
