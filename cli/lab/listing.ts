// What `lab list --json` prints for each lab, and GET /api/labs sends. Types
// and constants only, no imports: the browser bundle (web/) reads them too.

/** lab.yaml `kind`. */
export const LAB_KINDS = ['guided-exercise', 'lab'] as const;
export type LabKind = (typeof LAB_KINDS)[number];

export interface LabStep {
  id: string;
  title: string;
  checks: string[];
}

export interface LabListing {
  id: string;
  kind: LabKind;
  title: string;
  summary: string;
  estimatedMinutes: number;
  namespaces: string[];
  workers: number;
  requires: string[];
  steps: LabStep[];
}
