// Who am I, logging in and out, and redeeming the first-run setup token.

import { Router, type Response } from 'express';
import { z } from 'zod';
import { requireSession, sessionOf } from '../auth.ts';
import { serializeCookie } from '../cookies.ts';
import type { ServerContext } from '../context.ts';
import { ApiError, parseBody } from '../errors.ts';
import { CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL_SECONDS, type LoginSession } from '../login-sessions.ts';
import type { PublicUser } from '../user-types.ts';
import { passwordSchema, usernameSchema, type User } from '../users.ts';

const loginSchema = z.object({ username: z.string().min(1, 'is required'), password: z.string().min(1, 'is required') }).strict();
const bootstrapSchema = z.object({
  token: z.string().min(1, 'is required'),
  username: usernameSchema,
  password: passwordSchema,
  displayName: z.string().trim().min(1).max(100).optional(),
}).strict();

export function publicUser(u: User): PublicUser {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role };
}

function setSessionCookies(res: Response, ctx: ServerContext, cookie: string, session: LoginSession): void {
  res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'Strict', secure: ctx.secureCookies, maxAge: SESSION_TTL_SECONDS }));
  res.append('Set-Cookie', serializeCookie(CSRF_COOKIE, session.csrfToken, { sameSite: 'Strict', secure: ctx.secureCookies, maxAge: SESSION_TTL_SECONDS }));
}

export function authRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.get('/session', async (_req, res) => {
    const s = sessionOf(res);
    if (!s) {
      res.json({ user: null, bootstrapPending: await ctx.bootstrap.pending() });
      return;
    }
    res.json({ user: publicUser(s.user), csrfToken: s.csrfToken, expiresAt: s.expiresAt });
  });

  r.post('/login', async (req, res) => {
    const body = parseBody(loginSchema, req.body);
    const user = await ctx.users.authenticate(body.username, body.password);
    if (!user) throw new ApiError('Unauthorized', 'wrong username or password');
    const { cookie, session } = await ctx.sessions.create(user);
    setSessionCookies(res, ctx, cookie, session);
    res.json({ user: publicUser(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  r.post('/logout', requireSession, async (_req, res) => {
    await ctx.sessions.delete(sessionOf(res)!.id);
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'Strict', secure: ctx.secureCookies, maxAge: 0 }));
    res.append('Set-Cookie', serializeCookie(CSRF_COOKIE, '', { sameSite: 'Strict', secure: ctx.secureCookies, maxAge: 0 }));
    res.json({ loggedOut: true });
  });

  r.post('/bootstrap', async (req, res) => {
    const body = parseBody(bootstrapSchema, req.body);
    const user = await ctx.bootstrap.redeem(body.token, { username: body.username, password: body.password, ...(body.displayName ? { displayName: body.displayName } : {}) });
    ctx.log(`instructor ${user.username} created with the setup token`);
    const { cookie, session } = await ctx.sessions.create(user);
    setSessionCookies(res, ctx, cookie, session);
    res.status(201).json({ user: publicUser(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  return r;
}
