// ExternalHttp: absolute-form requests through a proxy like the embedded
// cluster's external proxy (a small server on 127.0.0.1 plays it), direct
// requests, cookie round trips, and failures that name the URL and carry the
// proxy's text.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExternalHttp, probeHttp } from '../../graders/sdk/http.ts';

interface Seen {
  url: string;
  host?: string;
  cookie?: string;
  proxyAuth?: string;
  method: string;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('external HTTP', () => {
  const seen: Seen[] = [];
  let port = 0;
  let visits = 0;
  // Answers like the external proxy in front of a router: a sticky cookie on
  // the first visit, 503 from the router without endpoints, and its own 502/504
  // for hosts nothing answers for.
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host, cookie: req.headers.cookie, proxyAuth: req.headers['proxy-authorization'], method: req.method ?? '' });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.hostname === 'down.apps.example.com') {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no Route, LoadBalancer IP or NodePort answers for down.apps.example.com\n');
      return;
    }
    if (url.hostname === 'slow.apps.example.com') {
      res.writeHead(504, { 'content-type': 'text/plain' }).end('');
      return;
    }
    if (url.pathname === '/empty') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>Application is not available</h1>');
      return;
    }
    if (url.pathname === '/hang') return; // never answers
    if (url.pathname === '/logout') {
      res.writeHead(200, { 'set-cookie': ['route=; Max-Age=0', 'theme=light'] }).end('bye');
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    if (!req.headers.cookie?.includes('route=')) headers['set-cookie'] = [`route=backend-${++visits}; path=/; HttpOnly`, 'theme=dark'];
    res.writeHead(200, { ...headers, 'content-type': 'text/plain' }).end(`served by backend, cookie: ${req.headers.cookie ?? '-'}`);
  });

  before(async () => { port = await listen(server); });
  after(async () => { server.closeAllConnections(); await close(server); });

  it('sends absolute-form requests to the proxy, with the target as Host and the proxy credentials', async () => {
    const ext = createExternalHttp({ proxy: `http://grader:s3cret@127.0.0.1:${port}` });
    seen.length = 0;
    const r = await ext.request('http://web-ha.apps.example.com/index.html?x=1');
    assert.equal(r.status, 200);
    assert.equal(seen[0].url, 'http://web-ha.apps.example.com/index.html?x=1');
    assert.equal(seen[0].host, 'web-ha.apps.example.com');
    assert.equal(seen[0].proxyAuth, `Basic ${Buffer.from('grader:s3cret').toString('base64')}`);
    assert.equal(r.headers['content-type'], 'text/plain');
  });

  it('keeps the sticky cookie in a jar and sends it back; Max-Age=0 deletes it', async () => {
    const ext = createExternalHttp({ proxy: `http://127.0.0.1:${port}` });
    const jar = ext.newJar();
    const first = await ext.request('http://web-ha.apps.example.com/', { jar });
    assert.equal(first.headers['set-cookie'], `route=backend-${visits}; path=/; HttpOnly\ntheme=dark`, 'repeated headers joined by newlines');
    const cookie = jar.cookies.get('route');
    assert.match(cookie ?? '', /^backend-\d+$/);
    const second = await ext.request('http://web-ha.apps.example.com/', { jar });
    assert.equal(second.body, `served by backend, cookie: route=${cookie}; theme=dark`);
    assert.equal(jar.cookies.get('route'), cookie, 'no new cookie: the same backend');
    await ext.request('http://web-ha.apps.example.com/logout', { jar });
    assert.deepEqual([...jar.cookies], [['theme', 'light']]);
    const withoutJar = await ext.request('http://web-ha.apps.example.com/');
    assert.equal(withoutJar.body, 'served by backend, cookie: -');
  });

  it('rejects with the URL and the proxy text when the proxy answers 502 or 504', async () => {
    const ext = createExternalHttp({ proxy: `http://127.0.0.1:${port}` });
    await assert.rejects(ext.request('http://down.apps.example.com/health'), {
      message: "GET http://down.apps.example.com/health failed: the cluster's external proxy answered 502: no Route, LoadBalancer IP or NodePort answers for down.apps.example.com",
    });
    await assert.rejects(ext.request('http://slow.apps.example.com/', { method: 'head' }), {
      message: "HEAD http://slow.apps.example.com/ failed: the cluster's external proxy answered 504: HTTP 504",
    });
    const probe = await probeHttp(ext, 'http://down.apps.example.com/');
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.error, /answered 502: no Route/);
  });

  it('returns the router answer (503 without endpoints) as an exchange, not an error', async () => {
    const ext = createExternalHttp({ proxy: `http://127.0.0.1:${port}` });
    const r = await ext.request('http://web-ha.apps.example.com/empty');
    assert.equal(r.status, 503);
    assert.match(r.body, /Application is not available/);
  });

  it('requests directly without a proxy (origin-form path, Host of the URL)', async () => {
    const ext = createExternalHttp();
    seen.length = 0;
    const r = await ext.request(`http://127.0.0.1:${port}/direct?q=2`, { headers: { 'X-Lab': 'ha' }, method: 'POST' });
    assert.equal(r.status, 200);
    assert.equal(seen[0].url, '/direct?q=2');
    assert.equal(seen[0].host, `127.0.0.1:${port}`);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].proxyAuth, undefined);
  });

  it('names the URL when nothing listens, directly or at the proxy', async () => {
    const closed = http.createServer();
    const closedPort = await listen(closed);
    await close(closed);
    await assert.rejects(createExternalHttp().request(`http://127.0.0.1:${closedPort}/x`), (e: Error) => {
      assert.match(e.message, new RegExp(`^GET http://127\\.0\\.0\\.1:${closedPort}/x failed: .*ECONNREFUSED`));
      return true;
    });
    await assert.rejects(createExternalHttp({ proxy: `http://127.0.0.1:${closedPort}` }).request('http://web.apps.example.com/'), (e: Error) => {
      assert.match(e.message, new RegExp(`^GET http://web\\.apps\\.example\\.com/ failed: cannot reach the cluster's external proxy http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`));
      return true;
    });
  });

  it('gives up after timeoutSeconds of wall time', async () => {
    const ext = createExternalHttp({ proxy: `http://127.0.0.1:${port}` });
    await assert.rejects(ext.request('http://web.apps.example.com/hang', { timeoutSeconds: 0.2 }), {
      message: 'GET http://web.apps.example.com/hang failed: no answer within 0.2 s',
    });
  });

  it('refuses what it cannot send', async () => {
    const ext = createExternalHttp({ proxy: `http://127.0.0.1:${port}` });
    await assert.rejects(ext.request('web.apps.example.com/'), { message: 'GET web.apps.example.com/: not an absolute URL (expected http://host/path)' });
    await assert.rejects(ext.request('ftp://web.apps.example.com/'), /only http:\/\/ URLs can be requested/);
    await assert.rejects(ext.request('https://web.apps.example.com/'), /external proxy http:\/\/127\.0\.0\.1:\d+ carries plain http:\/\/ only/);
    assert.throws(() => createExternalHttp({ proxy: 'not a url' }), /external proxy "not a url" is not a URL/);
  });
});
