// core/v1 Event: what controllers and kubelets report about objects
// (`kubectl describe`, `kubectl get events`).

import { humanDuration, parseRfc3339 } from '../../api/age.ts';
import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions } from '../meta.ts';
import { dateTime, int, obj, str } from '../schema.ts';
import { CORE, coreRef, microTime } from './definitions.ts';
import { invalid, required, type FieldErrors } from './field-errors.ts';
import { record, text } from './table-cells.ts';

definitions.define(`${CORE}.EventSource`, obj({
  component: str('Component that reported the event, e.g. kubelet or virt-controller.'),
  host: str('Node the component runs on.'),
}, { description: 'Who reported an event.' }));

definitions.define(`${CORE}.EventSeries`, obj({
  count: int('Occurrences in the series so far.'),
  lastObservedTime: microTime('When the last occurrence was observed.'),
}, { description: 'A repeating event.' }));

function since(t: unknown, now: number): string | undefined {
  const ms = typeof t === 'string' && t ? parseRfc3339(t) : null;
  return ms === null ? undefined : humanDuration(now - ms);
}

function firstSeen(e: KubeObject, now: number): string {
  return since(e.firstTimestamp, now) ?? since(e.eventTime, now) ?? '<unknown>';
}

function lastSeen(e: KubeObject, now: number): string {
  const series = e.series && typeof e.series === 'object' ? record(e.series) : undefined;
  if (series) return since(series.lastObservedTime, now) ?? '<unknown>';
  return since(e.lastTimestamp, now) ?? firstSeen(e, now);
}

function eventCount(e: KubeObject): number {
  const series = e.series && typeof e.series === 'object' ? record(e.series) : undefined;
  if (series) return typeof series.count === 'number' ? series.count : 0;
  return typeof e.count === 'number' && e.count !== 0 ? e.count : 1;
}

/** "pod/web-1", or the lower-cased kind alone when the object has no name. */
export function eventObjectCell(e: KubeObject): string {
  const io = record(e.involvedObject);
  const kind = text(io.kind).toLowerCase();
  return text(io.name) ? `${kind}/${text(io.name)}` : kind;
}

function eventSource(e: KubeObject): string {
  const src = record(e.source);
  const component = text(src.component) || text(e.reportingComponent);
  const instance = text(src.host) || text(e.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

function validateEvent(e: KubeObject): FieldErrors {
  const errs: FieldErrors = [];
  if (!e.involvedObject || typeof e.involvedObject !== 'object') return [required('involvedObject')];
  const ns = e.metadata.namespace ?? '';
  const objNs = text(record(e.involvedObject).namespace);
  if (!objNs) {
    if (ns !== '' && ns !== 'default') errs.push(invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
  } else if (ns !== objNs) {
    errs.push(invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
  }
  return errs;
}

export const eventKind: KindDef = {
  group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true,
  shortNames: ['ev'], custom: false,
  schemaName: `${CORE}.Event`,
  schema: obj({
    involvedObject: coreRef('ObjectReference', 'The object the event is about.'),
    reason: str('Short machine-readable cause in CamelCase, e.g. Scheduled, Killing, FailedMount.'),
    message: str('Human-readable description.'),
    source: coreRef('EventSource', 'The component that reported the event.'),
    firstTimestamp: dateTime('When the event was first recorded.'),
    lastTimestamp: dateTime('When the event was last recorded.'),
    count: int('How many times the event occurred.'),
    type: str('Normal or Warning.'),
    eventTime: microTime('When the event was first observed (events.k8s.io style).'),
    series: coreRef('EventSeries', 'Occurrences of a repeating event.'),
    action: str('What the reporter did or failed to do.'),
    related: coreRef('ObjectReference', 'A second object involved, if any.'),
    reportingComponent: str('Controller that emitted the event, e.g. kubevirt.io/virt-controller.'),
    reportingInstance: str('Instance (e.g. pod or node) of that controller.'),
  }, { required: ['involvedObject'] }),
  description: 'A report of something that happened to an object: scheduling, image pulls, probe failures, migrations. Kept for a limited time.',
  printerColumns: [
    { name: 'Last Seen', type: 'string', description: 'Time since the event was last observed.', cell: (e, ctx) => lastSeen(e, ctx.now) },
    { name: 'Type', type: 'string', description: 'Normal or Warning.', cell: (e) => text(e.type) },
    { name: 'Reason', type: 'string', description: 'Why the event was reported.', cell: (e) => text(e.reason) },
    { name: 'Object', type: 'string', description: 'The object the event is about.', cell: eventObjectCell },
    { name: 'Subobject', type: 'string', priority: 1, description: 'The part of the object, e.g. one container.', cell: (e) => text(record(e.involvedObject).fieldPath) },
    { name: 'Source', type: 'string', priority: 1, description: 'The component that reported the event.', cell: eventSource },
    { name: 'Message', type: 'string', description: 'What happened.', cell: (e) => text(e.message).trim() },
    { name: 'First Seen', type: 'string', priority: 1, description: 'Time since the event was first observed.', cell: (e, ctx) => firstSeen(e, ctx.now) },
    { name: 'Count', type: 'string', priority: 1, description: 'How many times the event occurred.', cell: eventCount },
    // Upstream lists the event's own name last, in wide output only; the
    // table layer must not prepend its usual Name column for this kind.
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'Name of the event object.', cell: (e) => e.metadata.name ?? '' },
  ],
  selectableFields: {
    'involvedObject.kind': (e) => text(record(e.involvedObject).kind),
    'involvedObject.namespace': (e) => text(record(e.involvedObject).namespace),
    'involvedObject.name': (e) => text(record(e.involvedObject).name),
    'involvedObject.uid': (e) => text(record(e.involvedObject).uid),
    'involvedObject.apiVersion': (e) => text(record(e.involvedObject).apiVersion),
    'involvedObject.resourceVersion': (e) => text(record(e.involvedObject).resourceVersion),
    'involvedObject.fieldPath': (e) => text(record(e.involvedObject).fieldPath),
    reason: (e) => text(e.reason),
    reportingComponent: (e) => text(e.reportingComponent),
    source: (e) => text(record(e.source).component) || text(e.reportingComponent),
    type: (e) => text(e.type),
  },
  validate: validateEvent,
};
