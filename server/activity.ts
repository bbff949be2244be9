// What happened in a student's labs, pushed to whoever watches: the lab page
// (its event stream), so a `lab grade` typed in the shell shows up in the
// page as soon as it is stored.

import type { GradeRunSummary } from './lab-records.ts';

export type Activity =
  | { type: 'grade'; labId: string; run: GradeRunSummary }
  | { type: 'lab'; labId: string; action: 'start' | 'finish'; exitCode: number; source: 'web' | 'shell' };

export class ActivityFeed {
  private readonly listeners = new Map<number, Set<(a: Activity) => void>>();

  subscribe(userId: number, listener: (a: Activity) => void): () => void {
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(userId);
    };
  }

  publish(userId: number, activity: Activity): void {
    for (const l of [...(this.listeners.get(userId) ?? [])]) {
      try {
        l(activity);
      } catch {
        // A broken listener (a closed stream) must not keep the others from hearing.
      }
    }
  }
}
