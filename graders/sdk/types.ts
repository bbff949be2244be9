// The contract between graders, the grader SDK and whoever runs a grader (the
// `lab` CLI, the web server, `lab test`). A grader never knows whether it talks
// to the embedded cluster or a real one, except through named capabilities.

import type { KubeConfig } from '@kubernetes/client-node';
import type { Capability, CheckResult, Measurement } from './report.ts';

export type { Capability, CheckResult, CheckStatus, GradeReport, Measurement } from './report.ts';

/** Time as the cluster sees it. On the embedded cluster it may run faster than the wall clock. */
export interface ClusterTime {
  /** Milliseconds since the epoch, cluster clock. */
  now(): number;
  /**
   * Lets `seconds` of cluster time pass: a manual clock advances (tests,
   * `lab test`), a scaled clock sleeps seconds / timeScale of wall time.
   */
  sleep(seconds: number): Promise<void>;
}

/** One HTTP exchange as a client outside the cluster sees it. */
export interface HttpExchange {
  status: number;
  /** Header names lower-cased; repeated headers (set-cookie) joined by "\n". */
  headers: Record<string, string>;
  body: string;
}

/** Cookies kept between requests, like `curl -b jar -c jar`. */
export interface CookieJar {
  /** name → value of every cookie held (no domain/path scoping: one site per jar). */
  readonly cookies: ReadonlyMap<string, string>;
  clear(): void;
}

/** HTTP from outside the cluster: through the embedded cluster's external proxy, or directly on a real one. */
export interface ExternalHttp {
  newJar(): CookieJar;
  /** GET (or `method`) an absolute http:// URL; with a jar, sends and stores cookies. Network failures reject with a message naming the URL. */
  request(url: string, options?: { jar?: CookieJar; method?: string; headers?: Record<string, string>; timeoutSeconds?: number }): Promise<HttpExchange>;
}

/** Everything needed to talk to one cluster. Built by `connect()` (graders/sdk/connection.ts). */
export interface ClusterConnection {
  kubeConfig: KubeConfig;
  /** The API server URL, for messages. */
  server: string;
  capabilities: ReadonlySet<Capability>;
  time: ClusterTime;
  http: ExternalHttp;
}

/** The result of one check body. */
export type Outcome =
  | { pass: true; message?: string; measurements?: Measurement[] }
  | { pass: false; message: string; measurements?: Measurement[] };

export interface CheckContext {
  /** The lab's primary namespace (first of lab.yaml `namespaces`). */
  namespace: string;
  conn: ClusterConnection;
  /** Aborted when the grade run is cancelled or times out. */
  signal: AbortSignal;
}

export interface CheckDef {
  /** Stable id, kebab-case; lab.yaml steps and hints refer to it. */
  id: string;
  title: string;
  points: number;
  /** Without every listed capability the check is SKIP (not scored, not failed) with a message naming what is missing. */
  requires?: Capability[];
  /**
   * Behavioural checks change the cluster (inject a fault, wait, observe the
   * recovery, undo the fault). They run only when the runner enables them and
   * after every non-behavioural check.
   */
  behavioural?: boolean;
  run(ctx: CheckContext): Promise<Outcome>;
}

export interface GraderDef {
  /** The lab id (labs/<id>/). */
  lab: string;
  checks: CheckDef[];
}

export interface GradeOptions {
  namespace: string;
  /** Run behavioural checks (default true). */
  behavioural?: boolean;
  /** Only these check ids. */
  only?: string[];
  /** check id → hint text (lab.yaml `hints`). */
  hints?: Record<string, string>;
  /** Whole-run limit in wall-clock seconds (default 600). */
  timeoutSeconds?: number;
  /** Called as each check finishes (progress display, web UI). */
  onResult?(result: CheckResult): void;
  /** Cancels the run (the web UI's Cancel): checks not yet finished report ERROR. */
  signal?: AbortSignal;
}
