// The labs for the logged-in student: the catalog with their progress, one
// lab's chapter and steps, Start / Grade / Finish (the same code and the same
// records as `lab` in the shell), and the grade history.

import { Router } from 'express';
import { z } from 'zod';
import { requireSession, userOf } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { invalid, notFound, parseBody } from '../errors.ts';
import { catalog, labPage, listing } from '../labs-catalog.ts';
import type { LabVerb } from '../lab-runs.ts';

const gradeSchema = z.object({
  behavioural: z.boolean().optional(),
  checks: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a check id (kebab-case)')).optional(),
}).strict();
const emptySchema = z.object({}).strict();

export function labRoutes(ctx: ServerContext): Router {
  const r = Router();
  r.use('/labs', requireSession);

  r.get('/labs', async (_req, res) => {
    const user = userOf(res);
    const labs = [];
    for (const spec of catalog(ctx.labsDir)) {
      const [state, history] = await Promise.all([ctx.records.labState(user.id, spec.id), ctx.records.history(user.id, spec.id, 1)]);
      labs.push({ ...listing(spec), state, ...(history[0] ? { lastGrade: history[0] } : {}) });
    }
    res.json({ labs });
  });

  r.get('/labs/:id', async (req, res) => {
    const user = userOf(res);
    const { spec, chapter } = labPage(ctx.labsDir, req.params.id);
    const [state, steps, history] = await Promise.all([
      ctx.records.labState(user.id, spec.id), ctx.records.steps(user.id, spec.id), ctx.records.history(user.id, spec.id, 1),
    ]);
    const byStep = new Map(steps.map((s) => [s.stepId, s]));
    res.json({
      lab: { ...listing(spec), objectives: spec.objectives, hints: spec.hints },
      chapter,
      state,
      steps: spec.steps.map((s) => ({ id: s.id, title: s.title, checks: s.checks, progress: byStep.get(s.id) ?? null })),
      lastGrade: history[0] ?? null,
    });
  });

  const action = (verb: LabVerb) => async (req: import('express').Request, res: import('express').Response) => {
    const user = userOf(res);
    const { spec } = labPage(ctx.labsDir, req.params.id as string);
    const flags = verb === 'grade' ? parseBody(gradeSchema, req.body) : (parseBody(emptySchema, req.body), {});
    if ('checks' in flags && flags.checks) {
      const known = new Set(spec.steps.flatMap((s) => s.checks));
      const unknown = flags.checks.find((c) => !known.has(c));
      if (unknown) throw invalid(`lab ${spec.id} has no check "${unknown}"`, 'checks');
    }
    const answer = await ctx.labRuns.run(user, verb, spec.id, {
      ...('behavioural' in flags && flags.behavioural !== undefined ? { behavioural: flags.behavioural } : {}),
      ...('checks' in flags && flags.checks ? { check: flags.checks } : {}),
    }, 'web');
    res.json(answer);
  };
  r.post('/labs/:id/start', action('start'));
  r.post('/labs/:id/grade', action('grade'));
  r.post('/labs/:id/finish', action('finish'));

  r.get('/labs/:id/grades', async (req, res) => {
    const user = userOf(res);
    const { spec } = labPage(ctx.labsDir, req.params.id);
    res.json({ grades: await ctx.records.history(user.id, spec.id) });
  });

  r.get('/labs/:id/grades/:run', async (req, res) => {
    const user = userOf(res);
    const id = Number(req.params.run);
    // Another user's run is "not found", like a run that does not exist: ids tell nothing.
    const run = Number.isInteger(id) ? await ctx.records.gradeRun(user.id, id) : undefined;
    if (!run || run.labId !== req.params.id) throw notFound(`no grade run ${req.params.run} of lab ${req.params.id}`);
    res.json(run);
  });

  return r;
}
