// An account as the API shows it (GET /api/session, the instructor's lists).
// Types only, no imports: the browser bundle (web/) reads them too.

export type Role = 'student' | 'instructor';

export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
}
