// What the workload kinds (Deployment, ReplicaSet, DaemonSet, StatefulSet)
// share about their pod template and selector: defaults, the apps/v1
// validation rules, and selector immutability.

import type { KubeObject } from '../../api/object.ts';
import { defaultPodSpec, validatePodSpec } from './pod.ts';
import { forbidden, invalid, notSupported, required, selectorMatches, validateLabelSelector, type FieldErrors } from './field-errors.ts';
import { jsonEqual, record, spec, type Json } from './table-cells.ts';

/** Defaults of spec.template.spec (pod spec defaults; not the pod-only admission fields). */
export function defaultTemplate(o: KubeObject): void {
  const s = spec(o);
  if (!s.template || typeof s.template !== 'object') return;
  const t = s.template as Json;
  if (!t.spec || typeof t.spec !== 'object') t.spec = {};
  defaultPodSpec(t.spec as Json);
}

export function defaultReplicas(o: KubeObject): void {
  if (!o.spec || typeof o.spec !== 'object') o.spec = {};
  const s = o.spec as Json;
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
}

function hasSelectorTerms(sel: unknown): boolean {
  const s = record(sel);
  return Object.keys(record(s.matchLabels)).length > 0 || (Array.isArray(s.matchExpressions) && s.matchExpressions.length > 0);
}

/**
 * apps/v1 rules shared by the workloads: a non-empty selector matching the
 * template labels, a valid template with restartPolicy Always, and no
 * activeDeadlineSeconds.
 */
export function validateWorkloadTemplate(o: KubeObject, kindLabel: string): FieldErrors {
  const s = spec(o);
  const errs: FieldErrors = [];
  if (s.selector === undefined || s.selector === null) {
    errs.push(required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
    if (!hasSelectorTerms(s.selector)) errs.push(invalid('spec.selector', s.selector, `empty selector is invalid for ${kindLabel}`));
  }
  if (typeof s.replicas === 'number' && s.replicas < 0) errs.push(invalid('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  const template = record(s.template);
  const labels = record(record(template.metadata).labels) as Record<string, string>;
  if (s.template === undefined) {
    errs.push(required('spec.template'));
    return errs;
  }
  if (hasSelectorTerms(s.selector) && !selectorMatches(s.selector, labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  const ts = record(template.spec);
  errs.push(...validatePodSpec(ts, 'spec.template.spec'));
  if (ts.restartPolicy !== undefined && ts.restartPolicy !== 'Always') {
    errs.push(notSupported('spec.template.spec.restartPolicy', ts.restartPolicy, ['Always']));
  }
  if (ts.activeDeadlineSeconds !== undefined && ts.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** apps/v1 selectors cannot change after creation. */
export function validateSelectorUnchanged(o: KubeObject, old: KubeObject): FieldErrors {
  const next = spec(o).selector;
  return jsonEqual(next, spec(old).selector) ? [] : [invalid('spec.selector', next, 'field is immutable')];
}

/** True for 0 and "0%". */
export function isZeroIntOrPercent(v: unknown): boolean {
  return v === 0 || v === '0%' || v === '0';
}
