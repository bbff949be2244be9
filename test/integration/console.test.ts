// The serial console over WebSocket at virtctl's path: login, a command,
// the guest's answer; refusals before the VMI runs and without a token.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startSim, type Sim } from './harness.ts';

const VM = {
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'con-1' },
  spec: {
    runStrategy: 'Always',
    template: {
      spec: {
        domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] }, resources: { requests: { memory: '1Gi' } } },
        networks: [{ name: 'default', pod: {} }],
        volumes: [{ name: 'root', containerDisk: { image: 'quay.io/virtlab/webserver:latest' } }],
      },
    },
  },
};

function open(sim: Sim, name: string, token = sim.token): { ws: WebSocket; output: () => string; until: (re: RegExp) => Promise<void>; opened: Promise<void>; failed: Promise<string> } {
  const path = `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/${name}/console`;
  const ws = new WebSocket(sim.api.url.replace('https', 'wss') + path, 'plain.kubevirt.io', { ca: sim.api.caPem, headers: { Authorization: `Bearer ${token}` } });
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  ws.on('message', (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of [...waiters]) if (w.re.test(out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const failed = new Promise<string>((resolve) => ws.on('unexpected-response', (_req, res) => {
    let body = '';
    res.on('data', (c: Buffer) => { body += c; });
    res.on('end', () => resolve(`${res.statusCode} ${body}`));
  }));
  ws.on('error', () => {});
  return {
    ws, opened, failed, output: () => out,
    until: (re) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`console never printed ${re}; got:\n${out}`)), 10000);
      waiters.push({ re, resolve: () => { clearTimeout(t); resolve(); } });
      if (re.test(out)) { waiters.pop(); clearTimeout(t); resolve(); }
    }),
  };
}

describe('serial console over WebSocket', () => {
  let sim: Sim;
  before(async () => { sim = await startSim({ workers: 2, controlPlanes: 1 }); });
  after(async () => { await sim.close(); });

  it('is refused with a Status before the VMI runs, and without a valid token', async () => {
    const r = await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify(VM) });
    assert.equal(r.code, 0, r.stderr);
    await sim.advance(1);
    const early = open(sim, 'con-1');
    const answer = await early.failed;
    assert.match(answer, /^400 /);
    assert.match(answer, /Unable to connect to VM because phase is \w+ instead of Running/);
    const anon = open(sim, 'con-1', 'wrong-token');
    assert.match(await anon.failed, /^401 /);
  });

  it('logs in and runs commands in the guest', async () => {
    await sim.advance(60);
    const vmi = JSON.parse((await sim.kubectl(['get', 'vmi', 'con-1', '-o', 'json'])).stdout);
    assert.equal(vmi.status.phase, 'Running');
    const c = open(sim, 'con-1');
    await c.opened;
    c.ws.send('\r');
    await c.until(/login: $/);
    c.ws.send('fedora\r');
    await c.until(/Password: $/);
    c.ws.send('secret\r');
    await c.until(/\$ $/);
    c.ws.send('hostname\r');
    await c.until(/\r\ncon-1\r\n/);
    c.ws.send('systemctl is-active httpd\r');
    await c.until(/\r\nactive\r\n/);
    c.ws.send('nosuchcommand\r');
    await c.until(/-bash: nosuchcommand: command not found/);
    c.ws.close();
  });
});
