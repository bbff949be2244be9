// The JSON the page reads from the server (server/README.md, docs/grade-report.md).
// Where the server or the CLI defines a wire format in a types-only file, the
// page imports that type (erased from the bundle); what only the page reads
// is declared here.

import type { LabListing as LabListingOfCli, LabStep } from '../../cli/lab/listing.ts';
import type { GradeReport } from '../../graders/sdk/report.ts';
import type { PublicUser } from '../../server/user-types.ts';
import type { GradeRunSummary, LabState as LabStateRecord, StepProgress as StepProgressRecord, StepStatus } from '../../server/lab-record-types.ts';

export type { Role } from '../../server/user-types.ts';
export type { CheckResult, CheckStatus, GradeReport } from '../../graders/sdk/report.ts';
export type { LabStep } from '../../cli/lab/listing.ts';
export type {
  Topology, TopologyNode, TopologyRoute, TopologyService, TopologyVm, TopologyVmi,
} from '../../server/topology-types.ts';

export type User = PublicUser;

export interface SessionInfo {
  user: User | null;
  csrfToken?: string;
  expiresAt?: string;
  bootstrapPending?: boolean;
}

export type { GradeRun, GradeRunSummary } from '../../server/lab-record-types.ts';

/** A lab as `lab list --json` lists it, with the user's state of it. */
export interface LabListing extends LabListingOfCli {
  state?: LabState;
  lastGrade?: GradeRunSummary;
}

/** Keyed by lab or step on the wire, so the objects themselves leave the key out. */
export type LabState = Omit<LabStateRecord, 'labId'>;
export type StepProgress = Omit<StepProgressRecord, 'stepId'>;
export type { StepStatus } from '../../server/lab-record-types.ts';

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
