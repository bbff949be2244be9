// The server's event stream (`GET /api/events`): topology snapshots driven by
// the cluster's watches, grades from the page or the shell, lab starts and
// finishes. One EventSource for the whole page; views subscribe by type.
// EventSource reconnects by itself; on every (re)open the server sends the
// current topology again, so nothing is missed for long.

import type { Activity, Topology } from './types.ts';

export interface StreamEvents {
  topology: Topology;
  grade: Extract<Activity, { type: 'grade' }>;
  lab: Extract<Activity, { type: 'lab' }>;
  /** The stream is (re)connected or lost. */
  status: { connected: boolean };
}

type Listener<K extends keyof StreamEvents> = (data: StreamEvents[K]) => void;

export class EventStream {
  private source: EventSource | undefined;
  private readonly listeners = new Map<keyof StreamEvents, Set<Listener<keyof StreamEvents>>>();
  /** The last topology seen, for views that open after it arrived. */
  lastTopology: Topology | undefined;

  open(url = '/api/events'): void {
    if (this.source) return;
    const s = new EventSource(url, { withCredentials: true });
    this.source = s;
    s.addEventListener('open', () => this.emit('status', { connected: true }));
    s.addEventListener('error', () => this.emit('status', { connected: false }));
    for (const type of ['topology', 'grade', 'lab'] as const) {
      s.addEventListener(type, (e) => {
        let data: unknown;
        try {
          data = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        if (type === 'topology') this.lastTopology = data as Topology;
        this.emit(type, data as StreamEvents[typeof type]);
      });
    }
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.lastTopology = undefined;
  }

  /** Reconnects (the server watches a cluster it finds at connect time). */
  restart(): void {
    if (!this.source) return;
    this.source.close();
    this.source = undefined;
    this.open();
  }

  on<K extends keyof StreamEvents>(type: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as Listener<keyof StreamEvents>);
    return () => { set.delete(fn as Listener<keyof StreamEvents>); };
  }

  private emit<K extends keyof StreamEvents>(type: K, data: StreamEvents[K]): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(data);
  }
}
