// The web server's shell API as the in-jail `lab` command reaches it: over the
// unix socket the host bound into the jail (or a URL in the development mode
// without a jail), with the session's shell token. Every answer is
// {exitCode, output}; anything else is reported as what it is.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';

export interface ShellApiConfig {
  /** Unix socket of the shell API (inside the jail). */
  socket?: string;
  /** http://host:port of the shell API (unsafe mode). */
  url?: string;
  token: string;
}

export interface LabAnswer {
  exitCode: number;
  output: string;
}

export class ShellApiError extends Error {}

export function readShellApiConfig(path: string | undefined): ShellApiConfig {
  if (!path) throw new ShellApiError('VIRTLAB_SHELL_API is not set: this `lab` works only in the lab shell of the web platform');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ShellApiError('the lab commands are not connected in this shell (the web platform gave it no shell API)');
    throw new ShellApiError(`cannot read the shell API settings ${path}: ${(e as Error).message}`);
  }
  const c = doc as Partial<ShellApiConfig>;
  if (typeof c.token !== 'string' || (typeof c.socket !== 'string' && typeof c.url !== 'string')) {
    throw new ShellApiError(`${path}: expected {"socket" or "url", "token"}`);
  }
  return c as ShellApiConfig;
}

export function callShellApi(config: ShellApiConfig, method: 'GET' | 'POST', path: string, body?: unknown): Promise<LabAnswer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const base = config.url ? new URL(config.url) : undefined;
  return new Promise((resolve, reject) => {
    const req = request({
      ...(config.socket ? { socketPath: config.socket } : { host: base!.hostname, port: base!.port || 80 }),
      method,
      path: `${base ? base.pathname.replace(/\/$/, '') : ''}${path}`,
      headers: {
        authorization: `Bearer ${config.token}`,
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          doc = undefined;
        }
        const answer = doc as Partial<LabAnswer> & { message?: string; error?: string } | undefined;
        if (answer && typeof answer.exitCode === 'number') {
          resolve({ exitCode: answer.exitCode, output: typeof answer.output === 'string' ? answer.output : '' });
          return;
        }
        if (res.statusCode === 401) {
          reject(new ShellApiError('the web platform refused this shell\'s token (401): the session may have ended; reload the lab page'));
          return;
        }
        const why = answer?.message ?? answer?.error ?? text.trim().slice(0, 200);
        reject(new ShellApiError(`the web platform answered ${res.statusCode}${why ? `: ${why}` : ''}`));
      });
    });
    req.on('error', (e) => reject(new ShellApiError(`cannot reach the web platform: ${e.message}`)));
    req.end(payload);
  });
}
