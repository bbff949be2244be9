// The JSON the page reads from the server (server/README.md, docs/grade-report.md).
// Kept here rather than imported from server/, so the browser bundle depends
// on the documented API and nothing of the server's code.

export type Role = 'student' | 'instructor';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
}

export interface SessionInfo {
  user: User | null;
  csrfToken?: string;
  expiresAt?: string;
  bootstrapPending?: boolean;
}

export interface GradeRunSummary {
  id: number;
  labId: string;
  source: 'web' | 'shell';
  startedAt: string;
  durationMs: number;
  score: number;
  maxScore: number;
  passed: boolean;
}

export type CheckStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIP';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  score: number;
  points: number;
  message: string;
  hint?: string;
  durationMs: number;
  measurements?: { name: string; value: number; unit: string }[];
}

export interface GradeReport {
  schema: string;
  lab: string;
  startedAt: string;
  durationMs: number;
  score: number;
  maxScore: number;
  passed: boolean;
  checks: CheckResult[];
}

export interface GradeRun extends GradeRunSummary {
  report: GradeReport;
}

export interface LabStep {
  id: string;
  title: string;
  checks: string[];
}

export interface LabListing {
  id: string;
  kind: string;
  title: string;
  summary: string;
  estimatedMinutes: number;
  namespaces: string[];
  workers: number;
  requires: string[];
  steps: LabStep[];
  state?: LabState;
  lastGrade?: GradeRunSummary;
}

export interface LabState {
  startedAt?: string;
  finishedAt?: string;
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepProgress {
  status: StepStatus;
  score: number;
  maxScore: number;
  gradeRunId: number;
  updatedAt: string;
}

export interface LabPage {
  lab: LabListing & { objectives: string[]; hints?: Record<string, string> };
  chapter: string;
  state: LabState;
  steps: (LabStep & { progress: StepProgress | null })[];
  lastGrade: GradeRunSummary | null;
}

/** What Start / Grade / Finish answer: the CLI's output and exit code. */
export interface LabAnswer {
  exitCode: number;
  output: string;
  report?: GradeReport;
  run?: GradeRunSummary;
}

export interface TopologyNode {
  name: string;
  roles: string[];
  ready: boolean;
  schedulable: boolean;
}

export interface TopologyVm {
  namespace: string;
  name: string;
  status?: string;
  runStrategy?: string;
}

export interface TopologyVmi {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
  ready: boolean;
  ip?: string;
  vm?: string;
}

export interface TopologyService {
  namespace: string;
  name: string;
  type: string;
  clusterIP?: string;
  externalIPs: string[];
  ports: { port: number; targetPort?: number | string; nodePort?: number; protocol?: string }[];
  vmis: { name: string; ready: boolean }[];
}

export interface TopologyRoute {
  namespace: string;
  name: string;
  host?: string;
  service?: string;
  admitted: boolean;
}

export interface Topology {
  nodes: TopologyNode[];
  vms: TopologyVm[];
  vmis: TopologyVmi[];
  services: TopologyService[];
  routes: TopologyRoute[];
}

export type Activity =
  | { type: 'grade'; labId: string; run: GradeRunSummary }
  | { type: 'lab'; labId: string; action: 'start' | 'finish'; exitCode: number; source: 'web' | 'shell' };

export interface ClassProgress {
  labs: { id: string; title: string; kind: string; steps: { id: string; title: string }[] }[];
  students: (User & {
    labs: Record<string, {
      startedAt?: string;
      finishedAt?: string;
      steps: Record<string, StepStatus>;
      lastGrade?: GradeRunSummary;
      runs: number;
      best?: number;
    }>;
  })[];
}
