// The jail's side of an exit: a TCP listener on the jail's own loopback
// (kubectl and curl need a host:port) whose connections are piped to a unix
// socket the host bound into the jail. The host side decides where it leads.

import { connect, createServer, type Server } from 'node:net';
import { splice } from '../splice.ts';

export function forwardToSocket(port: number, socketPath: string): Promise<Server> {
  const server = createServer((client) => {
    splice(client, connect(socketPath));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
