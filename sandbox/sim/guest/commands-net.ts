// Networking from inside a guest: ip, ss, curl and getent. The guest reaches
// its own listeners directly; anything else goes through the optional
// GuestNetwork the data plane provides (cluster IPs, service names, routes).
// Without it, other hosts refuse and names do not resolve.

import type { CmdCtx, CmdGen, Command } from './commands.ts';
import { isRoot } from './commands.ts';
import type { GuestHttpRequest, GuestHttpResult } from './types.ts';

/** Kernel's SYN retries give up after about this long when nothing answers. */
const CONNECT_GIVE_UP_SECONDS = 130;

function broadcast(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const b = (n | ~mask) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
}

function network(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const b = (n & mask) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
}

// KubeVirt's DHCP server hands out a lease of about 999 days.
const LEASE_SECONDS = 86313600;

function ip(c: CmdCtx): number {
  const args = c.args.filter((a) => !['-c', '-color', '--color', '-d'].includes(a));
  let family: 4 | 6 | undefined;
  let brief = false;
  while (args[0]?.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-4') family = 4;
    else if (a === '-6') family = 6;
    else if (a === '-br' || a === '-brief') brief = true;
    else {
      c.err(`Option "${a}" is unknown, try "ip -help".\n`);
      return 255;
    }
  }
  const obj = args[0] ?? '';
  const nic = c.host.nic();
  const lft = Math.max(0, LEASE_SECONDS - Math.floor(c.host.uptimeSeconds()));
  const isAddr = ['a', 'ad', 'addr', 'address'].includes(obj);
  const isLink = ['l', 'li', 'link'].includes(obj);
  const isRoute = ['r', 'ro', 'route'].includes(obj);
  if (!obj) {
    c.err('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n');
    return 1;
  }
  if (isRoute) {
    c.out(`default via ${nic.gateway} dev eth0 proto dhcp src ${nic.ip} metric 100 \n${network(nic.ip, nic.prefix)}/${nic.prefix} dev eth0 proto kernel scope link src ${nic.ip} metric 100 \n`);
    return 0;
  }
  if (!isAddr && !isLink) {
    c.err(`Object "${obj}" is unknown, try "ip help".\n`);
    return 255;
  }
  const dev = args.slice(1).filter((a) => a !== 'show' && a !== 's' && a !== 'dev')[0];
  if (dev && dev !== 'lo' && dev !== 'eth0') {
    c.err(`Device "${dev}" does not exist.\n`);
    return 1;
  }
  const want = (d: string) => !dev || dev === d;
  if (brief) {
    let out = '';
    if (want('lo')) out += `lo               UNKNOWN        ${isAddr ? `${family !== 6 ? '127.0.0.1/8 ' : ''}${family !== 4 ? '::1/128 ' : ''}` : '00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> '}\n`;
    if (want('eth0')) out += `eth0             UP             ${isAddr ? `${family !== 6 ? `${nic.ip}/${nic.prefix} ` : ''}${family !== 4 ? `${nic.ipv6}/64 ` : ''}` : `${nic.mac} <BROADCAST,MULTICAST,UP,LOWER_UP> `}\n`;
    c.out(out);
    return 0;
  }
  const lines: string[] = [];
  if (want('lo')) {
    lines.push('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000'.replace(isAddr ? ' mode DEFAULT' : '', ''));
    if (!family) lines.push('    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
    if (isAddr) {
      if (family !== 6) lines.push('    inet 127.0.0.1/8 scope host lo', '       valid_lft forever preferred_lft forever');
      if (family !== 4) lines.push('    inet6 ::1/128 scope host noprefixroute ', '       valid_lft forever preferred_lft forever');
    }
  }
  if (want('eth0')) {
    lines.push(`2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${nic.mtu} qdisc fq_codel state UP ${isAddr ? '' : 'mode DEFAULT '}group default qlen 1000`);
    if (!family) lines.push(`    link/ether ${nic.mac} brd ff:ff:ff:ff:ff:ff`, '    altname enp1s0');
    if (isAddr) {
      if (family !== 6) lines.push(`    inet ${nic.ip}/${nic.prefix} brd ${broadcast(nic.ip, nic.prefix)} scope global dynamic noprefixroute eth0`, `       valid_lft ${lft}sec preferred_lft ${lft}sec`);
      if (family !== 4) lines.push(`    inet6 ${nic.ipv6}/64 scope link noprefixroute `, '       valid_lft forever preferred_lft forever');
    }
  }
  c.out(lines.join('\n') + '\n');
  return 0;
}

function ss(c: CmdCtx): number {
  const opts = c.args.filter((a) => a.startsWith('-')).join('');
  const showProc = opts.includes('p');
  const rows: string[][] = [['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port', 'Process']];
  const listeners = [...c.host.units.listeners().entries()].sort((a, b) => a[0] - b[0]);
  for (const [port, u] of listeners) {
    const proc = showProc && isRoot(c.session) ? `users:(("${u.def.comm}",pid=${u.pid},fd=4))` : '';
    rows.push(['LISTEN', '0', u.def.kind === 'httpd' ? '511' : '128', `0.0.0.0:${port}`, '0.0.0.0:*', proc]);
    if (u.def.kind === 'sshd' || u.def.kind === 'httpd') rows.push(['LISTEN', '0', u.def.kind === 'httpd' ? '511' : '128', `[::]:${port}`, '[::]:*', proc]);
  }
  const w = [6, 6, 6, 18, 17];
  // ss really glues the Process header to the peer column.
  const out = rows.map((r, i) => {
    const [st, rq, sq, local, peer, proc] = r;
    return `${st.padEnd(w[0])} ${rq.padEnd(w[1])} ${sq.padEnd(w[2])} ${local.padStart(w[3])} ${peer.padStart(w[4])}${i ? ' ' : ''}${proc}`.trimEnd();
  });
  c.out(out.join('\n') + '\n');
  return 0;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

interface CurlOpts {
  url?: string;
  silent: boolean;
  showError: boolean;
  head: boolean;
  include: boolean;
  fail: boolean;
  output?: string;
  writeOut?: string;
  method?: string;
  headers: Record<string, string>;
  maxTime?: number;
  connectTimeout?: number;
}

function parseCurl(args: string[]): CurlOpts | string {
  const o: CurlOpts = { silent: false, showError: false, head: false, include: false, fail: false, headers: {} };
  const takesValue = new Set(['-o', '-w', '-X', '-H', '-m', '-d', '-u', '-A', '-e', '-b', '-c', '--output', '--write-out', '--request', '--header', '--max-time', '--connect-timeout', '--data', '--user', '--user-agent', '--cookie', '--resolve']);
  const apply = (flag: string, value?: string): string | undefined => {
    switch (flag) {
      case '-s': case '--silent': o.silent = true; break;
      case '-S': case '--show-error': o.showError = true; break;
      case '-I': case '--head': o.head = true; break;
      case '-i': case '--include': o.include = true; break;
      case '-f': case '--fail': o.fail = true; break;
      case '-o': case '--output': o.output = value; break;
      case '-w': case '--write-out': o.writeOut = value; break;
      case '-X': case '--request': o.method = value; break;
      case '-H': case '--header': {
        const i = (value ?? '').indexOf(':');
        if (i > 0) o.headers[value!.slice(0, i).trim()] = value!.slice(i + 1).trim();
        break;
      }
      case '-m': case '--max-time': o.maxTime = Number(value); break;
      case '--connect-timeout': o.connectTimeout = Number(value); break;
      case '-d': case '--data': o.method ??= 'POST'; break;
      case '-L': case '--location': case '-k': case '--insecure': case '-v': case '--verbose': case '-4': case '-6':
      case '-u': case '--user': case '-A': case '--user-agent': case '-e': case '-b': case '-c': case '--cookie': case '--resolve':
      case '--compressed': case '--no-progress-meter': case '-#': break;
      default: return `curl: option ${flag}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`;
    }
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      const err = apply(name, takesValue.has(name) ? (eq > 0 ? a.slice(eq + 1) : args[++i]) : undefined);
      if (err) return err;
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = `-${a[j]}`;
        if (takesValue.has(f)) {
          const err = apply(f, a.slice(j + 1) || args[++i]);
          if (err) return err;
          break;
        }
        const err = apply(f);
        if (err) return err;
      }
    } else o.url ??= a;
  }
  return o;
}

function curlWriteOut(fmt: string, status: number, size: number): string {
  return fmt.replace(/\\n/g, '\n').replace(/%\{http_code\}|%\{response_code\}/g, String(status).padStart(3, '0'))
    .replace(/%\{size_download\}/g, String(size)).replace(/%\{time_total\}/g, '0.001234');
}

function* curl(c: CmdCtx): CmdGen {
  const parsed = parseCurl(c.args);
  if (typeof parsed === 'string') {
    c.err(parsed);
    return 2;
  }
  const o = parsed;
  const showErr = !o.silent || o.showError;
  const fail = (code: number, msg: string): number => {
    if (showErr) c.err(`curl: (${code}) ${msg}\n`);
    if (o.writeOut) c.out(curlWriteOut(o.writeOut, 0, 0));
    return code;
  };
  if (!o.url) {
    c.err("curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(o.url) ? o.url : `http://${o.url}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(3, 'URL rejected: Malformed input to a URL function');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(1, `Protocol "${url.protocol.slice(0, -1)}" not supported`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const path = `${url.pathname}${url.search}`;
  const method = o.head ? 'HEAD' : (o.method ?? 'GET').toUpperCase();
  const refused = () => fail(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);

  let result: GuestHttpResult;
  const fromHosts = hostsLookup(c, host);
  const self = c.host.selfAddresses().includes(host) || (fromHosts !== undefined && c.host.selfAddresses().includes(fromHosts));
  if (self) {
    const reply = c.host.localRequest(port, method, path);
    if (!reply) return refused();
    if (reply.kind === 'banner') return fail(1, 'Received HTTP/0.9 when not allowed');
    const r = reply.response;
    result = { status: r.status, headers: Object.fromEntries(r.headers), body: r.body };
  } else {
    const net = c.host.network();
    if (!net?.http) return refused();
    const req: GuestHttpRequest = { method, url: url.toString(), host: fromHosts ?? host, port, path, headers: { Host: url.host, 'User-Agent': 'curl/8.6.0', Accept: '*/*', ...o.headers } };
    result = net.http(c.host.info(), req);
  }
  if ('error' in result) {
    if (result.error === 'unresolved') return fail(6, `Could not resolve host: ${host}`);
    if (result.error === 'refused') return refused();
    if (result.error === 'protocol') return fail(1, 'Received HTTP/0.9 when not allowed');
    const limit = Math.min(o.maxTime ?? Infinity, o.connectTimeout ?? Infinity);
    const seconds = Number.isFinite(limit) ? limit : CONNECT_GIVE_UP_SECONDS;
    yield { wait: seconds };
    const ms = Math.round(seconds * 1000) + 1;
    return fail(28, `Failed to connect to ${host} port ${port} after ${ms} ms: ${Number.isFinite(limit) ? 'Timeout was reached' : "Couldn't connect to server"}`);
  }
  const status = result.status;
  if (o.fail && status >= 400) return fail(22, `The requested URL returned error: ${status}`);
  const headerText = `HTTP/1.1 ${status} ${REASONS[status] ?? ''}\r\n${Object.entries(result.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  let body = o.head ? headerText : (o.include ? headerText : '') + (method === 'HEAD' ? '' : result.body);
  if (o.output) {
    if (o.output !== '/dev/null' && o.output !== '-') {
      const p = o.output.startsWith('/') ? o.output : `${c.session.cwd}/${o.output}`;
      c.host.fs.write(p, body);
    } else if (o.output === '-') c.out(body);
    body = '';
  }
  c.out(body);
  if (o.writeOut) c.out(curlWriteOut(o.writeOut, status, Buffer.byteLength(result.body)));
  return 0;
}

/** /etc/hosts (and the guest's own name, as nss-myhostname answers it). */
function hostsLookup(c: CmdCtx, name: string): string | undefined {
  if (/^[\d.]+$/.test(name) || name.includes(':')) return name;
  for (const line of (c.host.fs.read('/etc/hosts') ?? '').split('\n')) {
    const f = line.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length > 1 && f.slice(1).includes(name)) return f[0];
  }
  const h = c.host.hostname();
  if (name === h || name === h.split('.')[0]) return c.host.nic().ip;
  return undefined;
}

function getent(c: CmdCtx): number {
  const [db, ...keys] = c.args;
  if (!db) {
    c.err("Usage: getent [OPTION...] database [key ...]\nTry `getent --help' or `getent --usage' for more information.\n");
    return 1;
  }
  if (db === 'passwd') {
    let code = 0;
    for (const k of keys) {
      if (k === 'root') c.out('root:x:0:0:Super User:/root:/bin/bash\n');
      else if (k === c.host.image.defaultUser || k === c.session.user) c.out(`${k}:x:1000:1000:Cloud User:/home/${k}:/bin/bash\n`);
      else code = 2;
    }
    return code;
  }
  if (db !== 'hosts' && db !== 'ahosts') {
    c.err(`Unknown database: ${db}\nTry \`getent --help' or \`getent --usage' for more information.\n`);
    return 1;
  }
  let code = 0;
  for (const name of keys) {
    const found = resolveName(c, name);
    if (!found) {
      code = 2;
      continue;
    }
    for (const addr of found.addresses) c.out(`${addr.padEnd(15)} ${found.name}\n`);
  }
  return code;
}

function resolveName(c: CmdCtx, name: string): { name: string; addresses: string[] } | undefined {
  for (const line of (c.host.fs.read('/etc/hosts') ?? '').split('\n')) {
    const f = line.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length > 1 && f.slice(1).includes(name)) {
      // getent prefers the IPv6 entry for names /etc/hosts lists twice (localhost).
      const v6 = (c.host.fs.read('/etc/hosts') ?? '').split('\n').map((l) => l.trim().split(/\s+/)).find((g) => g.length > 1 && g[0].includes(':') && g.slice(1).includes(name));
      const pick = v6 ?? f;
      return { name: pick.slice(1).join(' '), addresses: [pick[0]] };
    }
  }
  const h = c.host.hostname();
  if (name === h || name === h.split('.')[0]) return { name, addresses: [c.host.nic().ip] };
  const net = c.host.network();
  const r = net?.resolve?.(c.host.info(), name);
  return r && r.addresses.length ? r : undefined;
}

export const netCommands: Record<string, Command> = { ip, ss, curl, getent };
