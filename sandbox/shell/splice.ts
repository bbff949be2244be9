// Two sockets joined byte for byte, both ways: the jail's loopback listener to
// its exit socket, and the host's exit socket to the real address. Shared by
// the host and jail-init (bundled into the jail on its own).

import type { Socket } from 'node:net';

/** Pipes a and b into each other; an error or close on either side destroys both, then onEnd runs. */
export function splice(a: Socket, b: Socket, onEnd?: () => void): void {
  const end = (): void => {
    a.destroy();
    b.destroy();
    onEnd?.();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
  a.pipe(b);
  b.pipe(a);
}
