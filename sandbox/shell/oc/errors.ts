// How oc (kubectl's cmdutil.CheckErr) prints an error before exiting 1:
// `Error from server (NotFound): …` for API errors, the connection-refused
// hint, "The Route "x" is invalid: …" for 422s, else `error: …`.

import { ConnectionError, StatusError } from '../kube/errors.ts';

export function formatError(e: unknown): string {
  if (e instanceof StatusError) {
    const s = e.status;
    if (s.reason === 'Invalid') return s.details ? invalidMessage(e) : e.message;
    if (s.reason === 'Unauthorized') return `error: You must be logged in to the server (${s.message ?? ''})`;
    if (s.reason) return `Error from server (${s.reason}): ${e.message}`;
    return `Error from server: ${e.message}`;
  }
  if (e instanceof ConnectionError) {
    if (e.reason.includes('connection refused')) {
      let host = e.url;
      try {
        host = new URL(e.url).host;
      } catch {
        // keep the URL
      }
      return `The connection to the server ${host} was refused - did you specify the right host or port?`;
    }
    return `Unable to connect to the server: ${e.reason}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.startsWith('error: ') ? msg : `error: ${msg}`;
}

function invalidMessage(e: StatusError): string {
  const d = e.status.details!;
  let s = 'The request is invalid';
  if (d.kind || d.name) s = `The ${d.kind ?? ''} ${JSON.stringify(d.name ?? '')} is invalid`;
  const causes = (d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : c.message ?? ''));
  if (!causes.length) return s;
  if (causes.length === 1) return `${s}: ${causes[0]}`;
  return `${s}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
}
