// The students' side of the concurrency benchmark, in a process of its own so
// that it does not share the server's event loop. Every session does, every
// 2 s with its own token, what one `kubectl get vmi` run sends (kubectl 1.32
// with a warm discovery cache, seen with -v=6): a new TLS connection, then on
// it GET /api and GET /apis (aggregated discovery) and the VMI list as a
// Table. Reads one JSON line on stdin (url, CA, sessions, seconds) and prints
// one JSON line of figures. Started by bench/sessions.ts.

import { Agent, request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const DISCOVERY_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const POLL_MS = 2000;

export interface PollOrder {
  url: string;
  caPem: string;
  sessions: { token: string; namespace: string }[];
  /** How long to poll; the first poll period is not counted (phases and connections settle). */
  seconds: number;
}

export interface PollFigures {
  /** Every API request, ms, sorted; the first of a poll includes the TCP connect and TLS handshake, as kubectl times it. */
  requests: number[];
  /** The VMI Table GET alone, ms, sorted. */
  vmi: number[];
  /** TCP connect and TLS handshake of each poll's connection, ms, sorted. */
  handshakes: number[];
  /** The whole poll (connect, three requests), ms, sorted. */
  polls: number[];
  errors: number;
  firstError?: string;
  /** Polls that started over a second late because the session's previous poll had not finished. */
  late: number;
  /** The client's own event-loop delay p99, ms: when high, the figures include the client's queueing. */
  clientLoopP99: number;
}

function get(order: PollOrder, agent: Agent, token: string, path: string, accept: string, expect: string, handshake?: (ms: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(order.url + path, {
      agent, headers: { Authorization: `Bearer ${token}`, Accept: accept, 'User-Agent': 'kubectl/v1.32.4 (linux/amd64) kubernetes/bench' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 || !body.includes(expect)) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        else resolve(ms);
      });
      res.on('error', reject);
    });
    if (handshake) req.once('socket', (socket) => socket.once('secureConnect', () => handshake(performance.now() - t0)));
    req.on('error', reject);
    req.end();
  });
}

/** One `kubectl get vmi`: one connection, three requests one after another. */
async function poll(order: PollOrder, trust: SecureContext, token: string, namespace: string, handshake: (ms: number) => void): Promise<number[]> {
  // A fresh agent: no connection or TLS session kept from the last poll, as in a new kubectl process.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, secureContext: trust });
  try {
    return [
      await get(order, agent, token, '/api?timeout=32s', DISCOVERY_ACCEPT, '"kind":"APIGroupDiscoveryList"', handshake),
      await get(order, agent, token, '/apis?timeout=32s', DISCOVERY_ACCEPT, '"kind":"APIGroupDiscoveryList"'),
      await get(order, agent, token, `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances?limit=500`, TABLE_ACCEPT, '"kind":"Table"'),
    ];
  } finally {
    agent.destroy();
  }
}

async function run(order: PollOrder): Promise<PollFigures> {
  const figures: PollFigures = { requests: [], vmi: [], handshakes: [], polls: [], errors: 0, late: 0, clientLoopP99: 0 };
  // The CA parsed once: kubectl parses it in every process, but that is the client's cost, not the server's.
  const trust = createSecureContext({ ca: order.caPem });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const start = performance.now();
  const countFrom = start + POLL_MS;
  const until = start + order.seconds * 1000;
  loop.enable();
  // Each session at its own phase of the 2 s period, as students' terminals would be.
  await Promise.all(order.sessions.map(async (s, i) => {
    let next = start + (POLL_MS * i) / order.sessions.length;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -POLL_MS / 2) figures.late++;
      const began = performance.now();
      try {
        let connected = 0;
        const times = await poll(order, trust, s.token, s.namespace, (t) => { connected = t; });
        if (began >= countFrom) {
          figures.handshakes.push(connected);
          figures.requests.push(...times);
          figures.vmi.push(times[2]);
          figures.polls.push(performance.now() - began);
        }
      } catch (e) {
        figures.errors++;
        figures.firstError ??= e instanceof Error ? e.message : String(e);
      }
      next += POLL_MS;
    }
  }));
  loop.disable();
  for (const list of [figures.requests, figures.vmi, figures.handshakes, figures.polls]) list.sort((a, b) => a - b);
  figures.clientLoopP99 = loop.percentile(99) / 1e6;
  return figures;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(`${JSON.stringify(await run(JSON.parse(input) as PollOrder))}\n`);
