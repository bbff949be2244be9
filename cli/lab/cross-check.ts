// What lab.yaml says about its grader must hold in the grader: every check a
// step or a hint names exists, every scored check is scored by exactly one
// step, and the grader is the lab's.

import type { GraderDef } from '../../graders/sdk/types.ts';
import type { LabSpec } from './schema.ts';
import { displayPath, type LabProblem, type YamlSource } from './yaml-source.ts';

export function crossCheckGrader(spec: LabSpec, source: YamlSource, grader: GraderDef, graderFile: string): LabProblem[] {
  const problems: LabProblem[] = [];
  const where = displayPath(graderFile);
  const checks = new Map(grader.checks.map((c) => [c.id, c]));
  const known = grader.checks.map((c) => c.id).join(', ');

  if (grader.lab !== spec.id) {
    problems.push(source.problemAt(['id'], `the grader ${where} is for lab "${grader.lab}", not "${spec.id}"`));
  }

  const stepIds = new Map<string, number>();
  const scoredBy = new Map<string, string>();
  spec.steps.forEach((step, i) => {
    const first = stepIds.get(step.id);
    if (first !== undefined) problems.push(source.problemAt(['steps', i, 'id'], `steps[${i}].id: "${step.id}" is already the id of steps[${first}]`));
    else stepIds.set(step.id, i);
    step.checks.forEach((id, j) => {
      const path = ['steps', i, 'checks', j];
      if (!checks.has(id)) {
        problems.push(source.problemAt(path, `steps[${i}].checks[${j}]: the grader ${where} has no check "${id}" (checks: ${known})`));
        return;
      }
      const other = scoredBy.get(id);
      if (other !== undefined) {
        problems.push(source.problemAt(path, `steps[${i}].checks[${j}]: check "${id}" is already scored by step "${other}"; a check belongs to exactly one step`));
        return;
      }
      scoredBy.set(id, step.id);
    });
  });

  for (const c of grader.checks) {
    if (c.points > 0 && !scoredBy.has(c.id)) {
      problems.push(source.problemAt(['steps'], `steps: check "${c.id}" of the grader (${c.points} point${c.points === 1 ? '' : 's'}) belongs to no step; add it to the step it scores`));
    }
  }

  for (const id of Object.keys(spec.hints)) {
    if (!checks.has(id)) problems.push(source.problemAt(['hints', id], `hints.${id}: the grader ${where} has no check "${id}" (checks: ${known})`, { atKey: true }));
  }
  return problems;
}
