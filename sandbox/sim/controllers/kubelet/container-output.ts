// What a started container prints, so `kubectl logs` shows something a
// student recognises. The simulator runs no real images: well-known images
// print their usual start-up banner, anything else one line naming itself.

import type { KubeObject } from '../../api/object.ts';

export function containerStartLines(c: { name: string; image: string; command?: string[]; args?: string[] }, pod: KubeObject, now: number): string {
  const ts = new Date(now).toISOString();
  const image = c.image.toLowerCase();
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const echo = argv.join(' ').match(/\becho\s+(?:"([^"]*)"|'([^']*)'|(\S+))/);
  if (echo) return echo[1] ?? echo[2] ?? echo[3] ?? '';
  if (image.includes('nginx')) {
    return [
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${ts.slice(0, 10).replace(/-/g, '/')} ${ts.slice(11, 19)} [notice] 1#1: using the "epoll" event method`,
      `${ts.slice(0, 10).replace(/-/g, '/')} ${ts.slice(11, 19)} [notice] 1#1: start worker processes`,
    ].join('\n');
  }
  if (image.includes('httpd')) {
    return `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${pod.metadata.name}. Set the 'ServerName' directive globally to suppress this message`;
  }
  return `${c.name}: started from image ${c.image}`;
}
