// What a guest's listeners answer. httpd and nginx serve files from their
// document root first; without a file, `/` is a page naming the guest (so a
// student sees which VM a balanced request reached) and `/health` answers ok.
// Non-HTTP listeners (MariaDB, sshd) greet with their protocol's banner.

import type { GuestImage } from './catalog.ts';
import type { GuestFs } from './filesystem.ts';
import type { Unit } from './services.ts';

export interface HttpResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
}

export type ListenerReply = { kind: 'http'; response: HttpResponse } | { kind: 'banner'; banner: string };

export interface HttpContext {
  hostname: string;
  now: number;
  image: GuestImage;
  fs: GuestFs;
}

const REASONS: Record<number, string> = { 200: 'OK', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' };

function serverHeader(unit: Unit, image: GuestImage): string {
  if (unit.def.kind === 'nginx') return 'nginx/1.26.2';
  const dist = image.family === 'fedora' ? 'Fedora Linux' : image.family === 'centos' ? 'CentOS Stream' : image.family === 'rhel' ? 'Red Hat Enterprise Linux' : 'Unix';
  return `Apache/2.4.62 (${dist})`;
}

function docRoot(unit: Unit, fs: GuestFs): string {
  if (unit.def.kind === 'nginx') {
    const m = /^\s*root\s+([^;\s]+)\s*;/m.exec(fs.read('/etc/nginx/nginx.conf') ?? '');
    return m ? m[1] : '/usr/share/nginx/html';
  }
  const m = /^\s*DocumentRoot\s+"?([^"\s]+)"?/m.exec(fs.read('/etc/httpd/conf/httpd.conf') ?? '');
  return m ? m[1] : '/var/www/html';
}

function contentType(path: string): string {
  if (/\.html?$/.test(path) || path.endsWith('/')) return 'text/html; charset=UTF-8';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.css')) return 'text/css';
  return 'text/plain; charset=UTF-8';
}

export function defaultPage(hostname: string): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    `<head><title>Hello from ${hostname}</title></head>`,
    '<body>',
    `<h1>Hello from ${hostname}</h1>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function notFoundBody(unit: Unit, path: string): string {
  if (unit.def.kind === 'nginx') {
    return '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.26.2</center>\r\n</body>\r\n</html>\r\n';
  }
  return [
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">',
    '<html><head>',
    '<title>404 Not Found</title>',
    '</head><body>',
    '<h1>Not Found</h1>',
    `<p>The requested URL ${path} was not found on this server.</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

function response(status: number, unit: Unit, ctx: HttpContext, body: string, type: string, head: boolean): HttpResponse {
  return {
    status,
    reason: REASONS[status] ?? 'OK',
    headers: [
      ['Date', new Date(ctx.now).toUTCString()],
      ['Server', serverHeader(unit, ctx.image)],
      ['Content-Length', String(Buffer.byteLength(body))],
      ['Content-Type', type],
    ],
    body: head ? '' : body,
  };
}

/** The answer of an active listener to one request. */
export function serve(unit: Unit, method: string, rawPath: string, ctx: HttpContext): ListenerReply {
  switch (unit.def.kind) {
    case 'mariadb':
      return { kind: 'banner', banner: 'Y\\x00\\x00\\x00\\n5.5.5-10.11.10-MariaDB\\x00' };
    case 'sshd':
      return { kind: 'banner', banner: 'SSH-2.0-OpenSSH_9.6' };
    case 'httpd':
    case 'nginx':
      break;
    default:
      return { kind: 'banner', banner: '' };
  }
  const head = method === 'HEAD';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return { kind: 'http', response: response(405, unit, ctx, '', 'text/html; charset=iso-8859-1', head) };
  const path = (rawPath.split(/[?#]/)[0] || '/').replace(/\/{2,}/g, '/');
  const root = docRoot(unit, ctx.fs);
  const file = path.endsWith('/') ? `${root}${path}index.html` : `${root}${path}`;
  const content = ctx.fs.read(file) ?? (ctx.fs.isDir(`${root}${path}`) ? ctx.fs.read(`${root}${path}/index.html`) : undefined);
  if (content !== undefined) return { kind: 'http', response: response(200, unit, ctx, content, contentType(file), head) };
  if (path === '/') return { kind: 'http', response: response(200, unit, ctx, defaultPage(ctx.hostname), 'text/html; charset=UTF-8', head) };
  if (path === '/health') return { kind: 'http', response: response(200, unit, ctx, 'ok\n', 'text/plain; charset=UTF-8', head) };
  return { kind: 'http', response: response(404, unit, ctx, notFoundBody(unit, path), 'text/html; charset=iso-8859-1', head) };
}
