// Puts a SimHost's API on a TCP port. Watches and log streams stay open, so
// closing destroys the open connections instead of waiting for them.

import { createServer, type Server } from 'node:https';
import { selfSignedCertificate, type ServingCertificate } from './tls.ts';
import type { Duplex } from 'node:stream';
import type { SimHost } from '../../host.ts';
import { createApiHandler } from './server.ts';
import { consoleUpgradeHandler } from './console.ts';

export interface ApiListener {
  server: Server;
  /** PEM of the serving certificate, which is its own CA: goes into kubeconfigs. */
  caPem: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

let processCertificate: ServingCertificate | undefined;

export async function listenApi(host: SimHost, opts: { port?: number; address?: string; certificate?: ServingCertificate } = {}): Promise<ApiListener> {
  const address = opts.address ?? '127.0.0.1';
  let url = '';
  const tls = opts.certificate ?? (processCertificate ??= selfSignedCertificate(['127.0.0.1', 'localhost', ...(address !== '127.0.0.1' && address !== '0.0.0.0' ? [address] : [])]));
  const server = createServer({ keepAlive: true, cert: tls.certPem, key: tls.keyPem }, createApiHandler(host, { serverAddress: () => url.replace(/^https?:\/\//, '') }));
  // Long-lived watches must not be cut by Node's default request timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('upgrade', consoleUpgradeHandler(host));
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  url = `https://${address === '0.0.0.0' ? '127.0.0.1' : address}:${port}`;
  return {
    server,
    caPem: tls.certPem,
    port,
    url,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
