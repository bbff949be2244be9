// The grade report (docs/grade-report.md) and the words it is made of. Types
// only, no imports: the browser bundle (web/) reads reports too, and must not
// pull in the Kubernetes client's types.

/** What a cluster can do beyond the Kubernetes API (detected from discovery). */
export type Capability =
  | 'kubevirt'     // kubevirt.io/v1 served
  | 'metallb'      // metallb.io/v1beta1 served
  | 'routes'       // route.openshift.io/v1 served
  | 'machine-api'  // machine.openshift.io/v1beta1 served
  | 'faults'       // sim.virtlab.dev/v1alpha1 Fault served (embedded cluster only)
  | 'embedded';    // the embedded cluster (its kubeconfig carries the virtlab.dev/embedded extension)

/** A figure a behavioural check measured (recovery time…), reported with the result. */
export interface Measurement {
  name: string;
  value: number;
  unit: 'seconds' | 'count';
}

export type CheckStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIP';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** Points earned: all on PASS, none otherwise. */
  score: number;
  points: number;
  /** Why it passed or failed; for ERROR the thrown error's message. */
  message: string;
  /** From lab.yaml `hints`, only on FAIL/ERROR. */
  hint?: string;
  durationMs: number;
  measurements?: Measurement[];
}

/** Versioned: consumers check `schema`. Documented in docs/grade-report.md. */
export interface GradeReport {
  schema: 'virtlab.dev/grade-report/v1';
  lab: string;
  startedAt: string;
  durationMs: number;
  cluster: { server: string; capabilities: Capability[] };
  score: number;
  maxScore: number;
  /** True only when no check is FAIL or ERROR (SKIP does not block). */
  passed: boolean;
  checks: CheckResult[];
}
