// The shell API: what `lab` inside a student's shell calls (over the unix
// socket bound into the jail, or the server's port in unsafe mode),
// authenticated by the shell's token, answering {exitCode, output} with what
// the CLI would print. See server/README.md for the contract.

import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { parseBody, unauthorized } from '../errors.ts';
import type { LabVerb } from '../lab-runs.ts';
import type { User } from '../users.ts';

const argsSchema = z.object({ args: z.array(z.string().max(1000)).max(100).default([]) }).strict();
const LAB_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

async function shellUser(ctx: ServerContext, req: Request): Promise<User> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  const ws = m ? await ctx.workspaces.byShellToken(m[1]) : undefined;
  const user = ws ? await ctx.users.byId(ws.userId) : undefined;
  if (!user) throw unauthorized('no valid shell token (Authorization: Bearer <token>)');
  return user;
}

export function shellRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.get('/shell/labs', async (req, res) => {
    await shellUser(ctx, req);
    res.json(await ctx.labRuns.list());
  });

  for (const verb of ['start', 'grade', 'finish'] as LabVerb[]) {
    r.post(`/shell/labs/:id/${verb}`, async (req, res) => {
      const user = await shellUser(ctx, req);
      const { args } = parseBody(argsSchema, req.body);
      const id = req.params.id as string;
      if (!LAB_ID.test(id)) {
        res.json({ exitCode: 2, output: `error: "${id}" is not a lab id (see \`lab list\`)\n` });
        return;
      }
      const answer = await ctx.labRuns.runArgs(user, verb, id, args, 'shell');
      res.json({ exitCode: answer.exitCode, output: answer.output });
    });
  }

  return r;
}
