// The page's defences, in Chromium: a lab pack whose chapter carries script
// tags, event handlers and javascript: links renders them inert (shown as
// text or left out, never run), and a terminal WebSocket opened from another
// origin, even one the browser sends the session cookie to, is refused.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { BrowserContext, Page } from 'playwright-core';
import { FIXTURE_LABS } from '../integration/server-harness.ts';
import { ADMIN, NO_BROWSER, openPage, signIn, startPlatform, type Platform } from './harness.ts';

const HOSTILE_CHAPTER = `# A chapter with hostile markup

<script>window.__xss = 'script'</script>

<img src="x" onerror="window.__xss = 'img'">

<a href="javascript:window.__xss='raw-link'">raw link</a>

<iframe src="javascript:window.__xss='iframe'"></iframe>

[markdown link](javascript:window.__xss='md-link')

[entity link](jav&#x61;script:window.__xss='entity')

[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

[protocol-relative link](//evil.example/x)

![image](javascript:window.__xss='image')

[outside](https://example.com/docs) and [inside](#a-section)

## A section

\`\`\`sh
echo "</code></pre><script>window.__xss='fence'</script>"
\`\`\`
`;

/** A wire-level upgrade with the given headers: the status the server answers. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('security of the page', { skip: NO_BROWSER }, () => {
  let p: Platform;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let evil: Server;
  let evilUrl: string;
  let labs: string;

  before(async () => {
    // A lab pack whose chapter is hostile (the fixture lab with another README).
    labs = mkdtempSync(join(tmpdir(), 'virtlab-e2e-labs-'));
    cpSync(join(FIXTURE_LABS, 'fixture-web'), join(labs, 'fixture-web'), { recursive: true });
    writeFileSync(join(labs, 'fixture-web', 'README.md'), HOSTILE_CHAPTER);
    p = await startPlatform({ labsDir: labs });
    ({ context, page, errors } = await openPage(p));
    // Another origin on the same host (so the same site: the browser sends the session cookie along).
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><script>
        window.result = new Promise((resolve) => {
          const ws = new WebSocket(${JSON.stringify(p.url.replace('http:', 'ws:'))} + '/api/terminals/evil?cols=80&rows=24');
          let opened = false;
          ws.onopen = () => { opened = true; };
          ws.onclose = (e) => resolve({ opened, code: e.code });
        });
      </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}/`;
  });
  after(async () => {
    await context?.close();
    evil?.close();
    await p?.close();
    rmSync(labs, { recursive: true, force: true });
  });

  it('renders a chapter with script tags, handlers and javascript: links inert', async () => {
    await signIn(page, p.url, ADMIN.username, ADMIN.password);
    await page.goto(`${p.url}/labs/fixture-web`);
    await page.waitForSelector('.chapter h1');
    const chapter = page.locator('.chapter');
    // The markup is shown as text, not interpreted.
    assert.match(await chapter.textContent() ?? '', /<script>window\.__xss = 'script'<\/script>/);
    assert.match(await chapter.textContent() ?? '', /<img src="x" onerror=/);
    assert.equal(await page.locator('.chapter script, .chapter iframe, .chapter img, .chapter [onerror]').count(), 0);
    const hrefs = await page.locator('.chapter a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), text: a.textContent })));
    assert.deepEqual(hrefs, [
      { href: 'https://example.com/docs', rel: 'noopener noreferrer', text: 'outside' },
      { href: '#a-section', rel: null, text: 'inside' },
    ]);
    // Clicking the would-be links does nothing: they are plain text.
    await page.getByText('markdown link').click();
    await page.getByText('entity link').click();
    // The fenced block is text in a code element, and its Run button carries it verbatim.
    assert.equal(await page.locator('.chapter pre code').count(), 1);
    assert.equal(await page.locator('.code-button.run').getAttribute('data-command'), `echo "</code></pre><script>window.__xss='fence'</script>"`);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined, 'no hostile script ran');
    assert.equal(page.url(), `${p.url}/labs/fixture-web`);
    assert.deepEqual(errors, []);
  });

  it('refuses a terminal WebSocket from a foreign Origin, cookie or not', async () => {
    const base = p.url.replace('http:', 'ws:');
    await p.addStudent('eve', 'eve-password-1');
    const login = await fetch(`${p.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'eve', password: 'eve-password-1' }) });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const url = `${base}/api/terminals/main?cols=80&rows=24`;
    const foreign = await upgradeStatus(url, { cookie, origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /another origin refused \(Origin http:\/\/evil\.example\)/);
    assert.equal((await upgradeStatus(url, { cookie, origin: evilUrl.slice(0, -1) })).status, 403, 'another port is another origin');
    assert.equal((await upgradeStatus(url, { cookie })).status, 403, 'no Origin at all');
    assert.equal((await upgradeStatus(url, { origin: p.url })).status, 401, 'our Origin but no session');
    assert.equal((await upgradeStatus(url, { cookie, origin: p.url })).status, 101, 'our Origin with the session');

    // In the browser: the signed-in admin visits a page of another origin that tries to open a shell.
    const visit = await context.newPage();
    await visit.goto(evilUrl);
    const result = await visit.evaluate(() => (window as unknown as { result: Promise<{ opened: boolean; code: number }> }).result);
    assert.deepEqual(result, { opened: false, code: 1006 });
    await visit.close();
  });
});
