// The host side of a jail's exits: a unix socket in the session's run folder
// whose every connection is piped, bytes unchanged (TLS stays end to end), to
// one address (TCP, or the server's own unix socket): the session's cluster
// API, its external proxy or the web server's shell API. The jail reaches
// nothing else.

import { chmodSync, chownSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { splice } from '../splice.ts';

export type ForwardTarget =
  | { host: string; port: number }
  | { path: string }
  /** Nothing to forward to (yet): every request gets a 502 that says why. */
  | { unavailable: string };

/** host:port of an http(s) URL (default ports filled in). */
export function targetOfUrl(url: string): ForwardTarget {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

export class HostForwarder {
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  private constructor(readonly socketPath: string, private target: ForwardTarget, server: Server) {
    this.server = server;
  }

  /** Listens on socketPath; the socket belongs to owner (the jail's uid) when given. */
  static async listen(socketPath: string, target: ForwardTarget, owner?: { uid: number; gid: number }): Promise<HostForwarder> {
    rmSync(socketPath, { force: true });
    let self: HostForwarder | undefined;
    const server = createServer((client) => self?.pipe(client));
    self = new HostForwarder(socketPath, target, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(socketPath, 0o600);
    if (owner) chownSync(socketPath, owner.uid, owner.gid);
    return self;
  }

  /** Points later connections at another address (a session's cluster may move). */
  retarget(target: ForwardTarget): void {
    this.target = target;
  }

  private pipe(client: Socket): void {
    const t = this.target;
    if ('unavailable' in t) {
      const body = `${t.unavailable}\n`;
      client.on('error', () => client.destroy());
      client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const upstream = 'path' in t ? connect(t.path) : connect(t.port, t.host);
    this.open.add(client);
    this.open.add(upstream);
    splice(client, upstream, () => {
      this.open.delete(client);
      this.open.delete(upstream);
    });
  }

  close(): Promise<void> {
    for (const s of this.open) s.destroy();
    this.open.clear();
    return new Promise((resolve) => this.server.close(() => {
      rmSync(this.socketPath, { force: true });
      resolve();
    }));
  }
}
