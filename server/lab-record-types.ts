// The wire shapes of what the platform remembers of a student's labs, shared by
// the server (lab-records.ts) and the browser (type-only imports, no runtime code).

import type { GradeReport } from '../graders/sdk/report.ts';

export type GradeSource = 'web' | 'shell';
export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface GradeRunSummary {
  id: number;
  labId: string;
  source: GradeSource;
  startedAt: string;
  durationMs: number;
  score: number;
  maxScore: number;
  passed: boolean;
}

export interface GradeRun extends GradeRunSummary {
  report: GradeReport;
}

export interface StepProgress {
  stepId: string;
  status: StepStatus;
  score: number;
  maxScore: number;
  gradeRunId: number;
  updatedAt: string;
}

export interface LabState {
  labId: string;
  startedAt?: string;
  finishedAt?: string;
}
