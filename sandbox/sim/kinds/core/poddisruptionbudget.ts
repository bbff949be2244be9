// policy/v1 PodDisruptionBudget: how many pods of a set voluntary disruptions
// (evictions, drains) may take down at once.

import type { KubeObject } from '../../api/object.ts';
import type { KindDef } from '../types.ts';
import { definitions, META } from '../meta.ts';
import { dateTime, enumOf, int, intOrString, mapOf, obj, ref } from '../schema.ts';
import { conditionList } from './definitions.ts';
import { invalid, validateIntOrPercent, validateLabelSelector, type FieldErrors } from './field-errors.ts';
import { ageColumn, intOrStringText, spec, status } from './table-cells.ts';

const POLICY = 'io.k8s.api.policy.v1';

definitions.define(`${POLICY}.PodDisruptionBudgetSpec`, obj({
  minAvailable: intOrString('Pods (number or percentage) that must stay available after an eviction.'),
  selector: { ...ref(`${META}.LabelSelector`, 'Pods the budget covers.'), 'x-kubernetes-patch-strategy': 'replace' },
  maxUnavailable: intOrString('Pods (number or percentage) that may be unavailable after an eviction. Exclusive with minAvailable.'),
  unhealthyPodEvictionPolicy: enumOf(['AlwaysAllow', 'IfHealthyBudget'], 'When unhealthy pods may be evicted: IfHealthyBudget (default) or AlwaysAllow.'),
}, { description: 'The desired protection of a set of pods.' }));

definitions.define(`${POLICY}.PodDisruptionBudgetStatus`, obj({
  observedGeneration: int('Generation of the budget this status is for.', 'int64'),
  disruptedPods: mapOf(dateTime(), 'Pods whose eviction was accepted but that are not deleted yet, with the time of the eviction.'),
  disruptionsAllowed: int('Evictions currently allowed.'),
  currentHealthy: int('Healthy pods now.'),
  desiredHealthy: int('Healthy pods needed.'),
  expectedPods: int('Pods the budget counts.'),
  conditions: conditionList(ref(`${META}.Condition`), 'Conditions of the budget, e.g. DisruptionAllowed.'),
}, { description: 'The observed state of a budget.' }));

function validateBudget(o: KubeObject): FieldErrors {
  const s = spec(o);
  const errs: FieldErrors = [];
  if (s.minAvailable !== undefined && s.minAvailable !== null && s.maxUnavailable !== undefined && s.maxUnavailable !== null) {
    errs.push(invalid('spec.minAvailable', s.minAvailable, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...validateIntOrPercent(s.minAvailable, 'spec.minAvailable'));
  errs.push(...validateIntOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  return errs;
}

export const podDisruptionBudgetKind: KindDef = {
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  namespaced: true, shortNames: ['pdb'], custom: false, tracksGeneration: true,
  subresources: { status: true },
  schemaName: `${POLICY}.PodDisruptionBudget`,
  schema: obj({
    spec: { allOf: [{ $ref: `#/components/schemas/${POLICY}.PodDisruptionBudgetSpec` }], description: 'Which pods, and how many must stay up.' },
    status: { allOf: [{ $ref: `#/components/schemas/${POLICY}.PodDisruptionBudgetStatus` }], description: 'How many disruptions are allowed now.' },
  }),
  description: 'Limits how many pods of a replicated application voluntary disruptions (drain, eviction) may take down at the same time.',
  printerColumns: [
    { name: 'Min Available', type: 'string', description: 'Pods that must stay available.', cell: (o) => (spec(o).minAvailable === undefined || spec(o).minAvailable === null ? 'N/A' : intOrStringText(spec(o).minAvailable)) },
    { name: 'Max Unavailable', type: 'string', description: 'Pods that may be unavailable.', cell: (o) => (spec(o).maxUnavailable === undefined || spec(o).maxUnavailable === null ? 'N/A' : intOrStringText(spec(o).maxUnavailable)) },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Evictions allowed now.', cell: (o) => (typeof status(o).disruptionsAllowed === 'number' ? status(o).disruptionsAllowed as number : 0) },
    ageColumn,
  ],
  prepareForCreate(o) {
    o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate: validateBudget,
};
