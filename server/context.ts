// Everything the routes work with, built once by startServer (or a test).

import type { ActivityFeed } from './activity.ts';
import type { InstructorBootstrap } from './bootstrap.ts';
import type { ClusterProvider } from './clusters.ts';
import type { Database } from './db.ts';
import type { LabRecords } from './lab-records.ts';
import type { LabRuns } from './lab-runs.ts';
import type { LoginSessions } from './login-sessions.ts';
import type { Users } from './users.ts';
import type { Workspaces } from './workspaces.ts';

export interface ServerContext {
  db: Database;
  users: Users;
  sessions: LoginSessions;
  bootstrap: InstructorBootstrap;
  workspaces: Workspaces;
  provider: ClusterProvider;
  records: LabRecords;
  feed: ActivityFeed;
  labRuns: LabRuns;
  labsDir: string;
  /** Cookies get the Secure attribute (the server is reached over https, e.g. behind a proxy). */
  secureCookies: boolean;
  log(line: string): void;
}
