// The instructor's side: accounts, the class's progress per lab and step,
// grade histories, the gradebook as CSV and any student's cluster topology.

import { Router } from 'express';
import { z } from 'zod';
import { requireInstructor } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { notFound, parseBody } from '../errors.ts';
import { gradebookCsv } from '../gradebook.ts';
import { catalog, labPage } from '../labs-catalog.ts';
import { newUserSchema, type User } from '../users.ts';
import { publicUser } from './auth-routes.ts';
import { topologyOf } from './workspace-routes.ts';

async function student(ctx: ServerContext, raw: string): Promise<User> {
  const id = Number(raw);
  const u = Number.isInteger(id) ? await ctx.users.byId(id) : undefined;
  if (!u) throw notFound(`no user with id ${raw}`);
  return u;
}

export function instructorRoutes(ctx: ServerContext): Router {
  const r = Router();
  r.use(['/users', '/instructor'], requireInstructor);

  r.get('/users', async (_req, res) => {
    res.json({ users: (await ctx.users.list()).map(publicUser) });
  });

  r.post('/users', async (req, res) => {
    const body = parseBody(newUserSchema, req.body);
    const user = await ctx.users.create(body);
    ctx.log(`${user.role} ${user.username} created`);
    res.status(201).json({ user: publicUser(user) });
  });

  r.get('/instructor/progress', async (_req, res) => {
    const labs = catalog(ctx.labsDir);
    const students = await ctx.users.list('student');
    const { states, steps, latest } = await ctx.records.classRecords();
    type LabProgress = { startedAt?: string; finishedAt?: string; steps: Record<string, string>; lastGrade?: unknown; runs: number; best?: number };
    const byStudent = new Map<number, Record<string, LabProgress>>(students.map((s) => [s.id, {}]));
    const entry = (userId: number, labId: string): LabProgress | undefined => {
      const m = byStudent.get(userId);
      if (!m) return undefined;
      return (m[labId] ??= { steps: {}, runs: 0 });
    };
    for (const s of states) {
      const e = entry(s.userId, s.labId);
      if (e) Object.assign(e, s.startedAt ? { startedAt: s.startedAt } : {}, s.finishedAt ? { finishedAt: s.finishedAt } : {});
    }
    for (const s of steps) {
      const e = entry(s.userId, s.labId);
      if (e) e.steps[s.stepId] = s.status;
    }
    for (const l of latest) {
      const e = entry(l.userId, l.labId);
      if (e) Object.assign(e, { lastGrade: l.run, runs: l.runs, best: l.best });
    }
    res.json({
      labs: labs.map((l) => ({ id: l.id, title: l.title, kind: l.kind, steps: l.steps.map((s) => ({ id: s.id, title: s.title })) })),
      students: students.map((s) => ({ ...publicUser(s), labs: byStudent.get(s.id) ?? {} })),
    });
  });

  r.get('/instructor/gradebook.csv', async (_req, res) => {
    const csv = await gradebookCsv(await ctx.users.list('student'), catalog(ctx.labsDir), ctx.records);
    res.type('text/csv; charset=utf-8').attachment('gradebook.csv').send(csv);
  });

  r.get('/instructor/students/:id/topology', async (req, res) => {
    res.json(await topologyOf(ctx, await student(ctx, req.params.id)));
  });

  const historyQuery = z.object({ lab: z.string().min(1, 'is required') }).strict();
  r.get('/instructor/students/:id/grades', async (req, res) => {
    const u = await student(ctx, req.params.id);
    const { lab } = parseBody(historyQuery, req.query, 'query');
    const { spec } = labPage(ctx.labsDir, lab);
    res.json({ user: publicUser(u), grades: await ctx.records.history(u.id, spec.id) });
  });

  r.get('/instructor/students/:id/grades/:run', async (req, res) => {
    const u = await student(ctx, req.params.id);
    const run = await ctx.records.gradeRun(u.id, Number(req.params.run));
    if (!run) throw notFound(`no grade run ${req.params.run} of ${u.username}`);
    res.json(run);
  });

  return r;
}
