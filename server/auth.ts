// Request authentication for the JSON API and WebSocket upgrades: the session
// cookie, CSRF on every state change, the Origin of upgrades, and the roles.

import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parseCookies } from './cookies.ts';
import { ApiError, forbidden, unauthorized } from './errors.ts';
import { CSRF_HEADER, SESSION_COOKIE, type LoginSession, type LoginSessions } from './login-sessions.ts';
import type { User } from './users.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the session middleware leaves in res.locals. */
export interface AuthLocals {
  session?: LoginSession;
}

export function sessionOf(res: Response): LoginSession | undefined {
  return (res.locals as AuthLocals).session;
}

/** The logged-in user; 401 without a session. */
export function userOf(res: Response): User {
  const s = sessionOf(res);
  if (!s) throw unauthorized();
  return s.user;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Whether the Origin header (when a browser sent one) is this server itself. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Loads the session from the cookie, then guards state changes: with a
 * session the X-CSRF-Token header must carry its token; without one (login,
 * bootstrap) the body must be JSON and any Origin our own, which a cross-site
 * form cannot achieve.
 */
export function sessionMiddleware(sessions: LoginSessions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      const session = await sessions.lookup(cookie);
      if (session) (res.locals as AuthLocals).session = session;
      if (!SAFE_METHODS.has(req.method)) {
        if (!sameOrigin(req)) throw forbidden(`cross-origin request refused (Origin ${String(req.headers.origin)})`);
        if (session) {
          const sent = req.get(CSRF_HEADER);
          if (!sent) throw forbidden('missing X-CSRF-Token header: send the csrfToken of GET /api/session with every change');
          if (sent !== session.csrfToken) throw forbidden('X-CSRF-Token does not match this session: reload the page (GET /api/session)');
        } else if (hasBody(req) && !req.is('application/json')) {
          throw new ApiError('BadRequest', 'requests without a session must send Content-Type: application/json');
        }
      }
    })().then(() => next(), next);
  };
}

export const requireSession: RequestHandler = (_req, res, next) => {
  next(sessionOf(res) ? undefined : unauthorized());
};

export const requireInstructor: RequestHandler = (_req, res, next) => {
  const s = sessionOf(res);
  if (!s) return next(unauthorized());
  next(s.user.role === 'instructor' ? undefined : forbidden(`only instructors may do this; ${s.user.username} is a student`));
};

/** For WebSocket upgrades: the user of the session cookie, when the Origin is ours. Throws ApiError otherwise. */
export async function authenticateUpgrade(req: IncomingMessage, sessions: LoginSessions): Promise<LoginSession> {
  if (!req.headers.origin || !sameOrigin(req)) throw forbidden(`WebSocket from another origin refused (Origin ${String(req.headers.origin ?? 'missing')})`);
  const session = await sessions.lookup(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
  if (!session) throw unauthorized();
  return session;
}
