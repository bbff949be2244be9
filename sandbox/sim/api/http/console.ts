// The serial console of a VMI over WebSocket, at the path virtctl uses:
// GET /apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachineinstances/<name>/console
// with subprotocol plain.kubevirt.io; raw bytes both ways.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimHost } from '../../host.ts';
import { ApiError, Errors } from '../errors.ts';
import { authorize, forbiddenMessage } from '../authorization.ts';

const CONSOLE_PATH = /^\/apis\/subresources\.kubevirt\.io\/v1(?:alpha3)?\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/console\/?$/;
export const CONSOLE_SUBPROTOCOL = 'plain.kubevirt.io';

function reject(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.status);
  socket.end(`HTTP/1.1 ${err.code} ${err.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function consoleUpgradeHandler(host: SimHost): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(CONSOLE_SUBPROTOCOL) ? CONSOLE_SUBPROTOCOL : false),
  });
  return (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const m = CONSOLE_PATH.exec(url.pathname);
    if (!m) return reject(socket, new ApiError(404, 'NotFound', 'the server could not find the requested resource'));
    const principal = host.authenticate(req.headers.authorization);
    if (!principal) return reject(socket, Errors.unauthorized());
    const [namespace, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
    const attrs = { namespace, verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'console', name };
    if (!authorize(principal.cluster.storage, principal.user, attrs).allowed) {
      return reject(socket, new ApiError(403, 'Forbidden', forbiddenMessage(principal.user, attrs)));
    }
    const vmi = principal.cluster.storage.get('kubevirt.io/virtualmachineinstances', namespace, name);
    if (!vmi) return reject(socket, Errors.notFound('virtualmachineinstance', 'kubevirt.io', name));
    const phase = (vmi.status as { phase?: string } | undefined)?.phase ?? '';
    // virt-api refuses consoles of VMIs that are not running, with this text.
    if (phase !== 'Running') return reject(socket, Errors.badRequest(`Unable to connect to VM because phase is ${phase || 'Pending'} instead of Running`));
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = principal.cluster.guests.openConsole(vmi.metadata.uid!);
      const stop = session.onData((data: string) => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.from(data, 'utf8'));
      });
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        session.write(buf.toString('utf8'));
      });
      // A newer console connection displaces this one, as virt-handler does.
      session.onClose?.(() => ws.close());
      ws.on('close', () => {
        stop();
        session.close();
      });
    });
  };
}
