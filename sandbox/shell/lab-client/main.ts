// `lab` inside the lab shell: list, start, grade and finish go to the web
// platform (which runs them against the session's cluster and records the
// grade); its output is printed as it is and its exit code is ours.
// `lab solve` is for lab authors and does not exist here.

import type { ShellIO } from '../io.ts';
import { callShellApi, readShellApiConfig, ShellApiError } from './shell-api.ts';

const USAGE = `Usage: lab <command> [lab-id] [flags]

Commands:
  list              the labs of this course
  start <lab-id>    prepare the cluster for a lab
  grade <lab-id>    grade your work (flags such as --json are passed on)
  finish <lab-id>   clean up a lab's namespaces
`;

const LAB_ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export async function main(argv: string[], io: ShellIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb) {
    io.err(USAGE);
    return 2;
  }
  if (verb === 'help' || verb === '--help' || verb === '-h') {
    io.out(USAGE);
    return 0;
  }
  if (verb === 'solve') {
    io.err('error: `lab solve` is not available in the lab shell (solutions are for lab authors); solve the lab yourself, then run `lab grade`\n');
    return 1;
  }
  if (verb !== 'list' && verb !== 'start' && verb !== 'grade' && verb !== 'finish') {
    io.err(`error: unknown command "${verb}" for "lab"\n\n${USAGE}`);
    return 2;
  }
  try {
    const config = readShellApiConfig(io.env.VIRTLAB_SHELL_API);
    let answer;
    if (verb === 'list') {
      answer = await callShellApi(config, 'GET', '/api/shell/labs');
    } else {
      const [id, ...args] = rest;
      if (!id) {
        io.err(`error: lab ${verb} needs a lab id (see \`lab list\`)\n`);
        return 2;
      }
      if (!LAB_ID.test(id)) {
        io.err(`error: "${id}" is not a lab id (see \`lab list\`)\n`);
        return 2;
      }
      answer = await callShellApi(config, 'POST', `/api/shell/labs/${id}/${verb}`, { args });
    }
    io.out(answer.output);
    return answer.exitCode;
  } catch (e) {
    if (e instanceof ShellApiError) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
