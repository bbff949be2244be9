// Records core/v1 Events the way client-go's recorder does: one Event per
// (object, type, reason, message), its count and lastTimestamp bumped on repeats.

import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/object.ts';
import type { Clock } from '../clock.ts';
import type { ClusterClient } from './client.ts';
import { rfc3339 } from '../api/age.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  private readonly seen = new Map<string, { namespace: string; name: string; count: number }>();

  constructor(private readonly client: ClusterClient, private readonly clock: Clock, private readonly source: EventSource) {}

  async event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid}|${type}|${reason}|${message}`;
    const now = this.clock.now();
    const prior = this.seen.get(key);
    if (prior) {
      prior.count++;
      const patched = await this.client.patch('events', prior.namespace, prior.name, 'merge', { count: prior.count, lastTimestamp: rfc3339(now) }).catch(() => undefined);
      if (patched) return;
      this.seen.delete(key);
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason, message, type, count: 1,
      source: { ...this.source },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      eventTime: null,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    // Events are best effort, as in client-go: a failed write (terminating namespace) is dropped.
    const created = await this.client.create('events', ev).catch(() => undefined);
    if (created) this.seen.set(key, { namespace, name, count: 1 });
    if (this.seen.size > 5000) this.seen.delete(this.seen.keys().next().value!);
  }
}
