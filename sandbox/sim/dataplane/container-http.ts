// What a plain container (a pod that is not a virt-launcher) answers. The
// simulator runs no images; the two web servers students start by hand
// (`kubectl run --image=nginx`, httpd) answer with their stock welcome page,
// anything else refuses, as a port nobody listens on does.

import type { KubeObject } from '../api/object.ts';
import type { Delivery } from './http-message.ts';

const NGINX_PAGE = [
  '<!DOCTYPE html>', '<html>', '<head>', '<title>Welcome to nginx!</title>', '</head>', '<body>',
  '<h1>Welcome to nginx!</h1>',
  '<p>If you see this page, the nginx web server is successfully installed and working.</p>',
  '</body>', '</html>', '',
].join('\n');

const HTTPD_PAGE = '<html><body><h1>It works!</h1></body></html>\n';

type Server = { kind: 'nginx' | 'httpd'; ports: number[] };

function serverOf(pod: KubeObject): Server | undefined {
  const containers = (pod.spec as { containers?: { image?: string }[] } | undefined)?.containers ?? [];
  for (const c of containers) {
    const image = (c.image ?? '').toLowerCase();
    // The upstream images listen on 80, the unprivileged/UBI ones on 8080.
    if (image.includes('nginx')) return { kind: 'nginx', ports: [80, 8080] };
    if (image.includes('httpd')) return { kind: 'httpd', ports: [80, 8080] };
  }
  return undefined;
}

export function containerAnswer(pod: KubeObject, port: number, method: string, now: number): Delivery {
  const server = serverOf(pod);
  const where = `${(pod.status as { podIP?: string } | undefined)?.podIP ?? ''}:${port}`;
  if (!server || !server.ports.includes(port)) return { error: 'refused', detail: `${where}: connection refused` };
  const body = server.kind === 'nginx' ? NGINX_PAGE : HTTPD_PAGE;
  return {
    status: 200,
    reason: 'OK',
    headers: [
      ['Server', server.kind === 'nginx' ? 'nginx/1.27.3' : 'Apache/2.4.62 (Unix)'],
      ['Date', new Date(now).toUTCString()],
      ['Content-Type', 'text/html'],
      ['Content-Length', String(Buffer.byteLength(body))],
    ],
    body: method === 'HEAD' ? '' : body,
  };
}
