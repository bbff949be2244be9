// Taints and tolerations as k8s.io/api core/v1 and component-helpers define
// them: shared by the scheduler (NoSchedule/NoExecute filtering) and the
// taint-eviction controller (NoExecute tolerationSeconds). Pure functions.

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

/** Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function firstUntoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.filter(filter).find((taint) => !tolerations.some((t) => tolerates(t, taint)));
}

/**
 * GetMatchingTolerations: whether every taint is tolerated, and the
 * toleration used for each (the first that matches).
 */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => tolerates(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/**
 * The taint manager's getMinTolerationTime, in seconds: 0 when a toleration has
 * tolerationSeconds ≤ 0 (or there are none), Infinity when none is bounded.
 */
export function minTolerationSeconds(used: Toleration[]): number {
  if (!used.length) return 0;
  let min = Infinity;
  for (const t of used) {
    if (typeof t.tolerationSeconds === 'number') {
      if (t.tolerationSeconds <= 0) return 0;
      min = Math.min(min, t.tolerationSeconds);
    }
  }
  return min;
}

/** "{key: value}" as the scheduler prints an untolerated taint. */
export function taintText(t: Taint): string {
  return `{${t.key}: ${t.value ?? ''}}`;
}
