// The browser tests' platform: `lab serve`'s server in this process on a free
// port, a fresh data folder, embedded clusters on a manual clock (nothing in
// these tests waits for simulated time), the web bundle built by web/build.ts
// into a folder of its own, student shells in the bubblewrap jail (without
// one only when bwrap is missing), and Chromium driven by playwright-core.

import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../sandbox/sim/clock.ts';
import { findExecutable } from '../../sandbox/shell/jail/system-view.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { buildWeb } from '../../web/build.ts';
import { ApiClient } from '../integration/server-harness.ts';

export const CHROMIUM = process.env.VIRTLAB_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN = { username: 'admin', password: 'instructor-pass-1' };

/** Why the browser tests cannot run here, or false. */
export const NO_BROWSER: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, as .ci/run does; or set VIRTLAB_CHROMIUM)`;

const HAS_BWRAP = !!findExecutable('bwrap', `${process.env.PATH ?? ''}:/usr/bin:/bin`);

export interface Platform {
  server: RunningServer;
  url: string;
  dir: string;
  browser: Browser;
  /** Instructor `admin`, logged in through the API. */
  admin: ApiClient;
  /** Creates a student through the instructor API. */
  addStudent(username: string, password: string): Promise<number>;
  close(): Promise<void>;
}

export async function startPlatform(opts: { labsDir?: string } = {}): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'virtlab-e2e-'));
  // Jailed shells run as their own uids when the server is root: they must walk down to their homes.
  chmodSync(dir, 0o711);
  const [web, browser] = await Promise.all([
    buildWeb({ outDir: join(dir, 'web'), minify: false }),
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    }),
  ]);
  let server: RunningServer;
  try {
    server = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      ...(opts.labsDir ? { labsDir: opts.labsDir } : {}),
      adminPassword: ADMIN.password,
      clockFor: () => new ManualClock(Date.now()),
      clusterTopology: { workers: 3, controlPlanes: 1 },
      webRoot: web.outDir,
      unsafeShell: !HAS_BWRAP,
      log: () => {},
    });
  } catch (e) {
    await browser.close();
    throw e;
  }
  const admin = new ApiClient(server.url);
  const login = await admin.login(ADMIN.username, ADMIN.password);
  if (login.status !== 200) throw new Error(`admin login failed: ${login.text}`);
  return {
    server, url: server.url, dir, browser, admin,
    addStudent: async (username, password) => {
      const r = await admin.post<{ user: { id: number } }>('/api/users', { username, password, displayName: username.toUpperCase() });
      if (r.status !== 201) throw new Error(`creating ${username} failed: ${r.text}`);
      return r.body.user.id;
    },
    close: async () => {
      await browser.close().catch(() => {});
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A browser context whose page errors fail loudly, and a page in it. */
export async function openPage(p: Platform, viewport = { width: 1400, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await p.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(base);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('.app-header .user-name');
}

/** Waits until the visible terminal is attached to its shell. */
export async function terminalAttached(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __virtlab: { terminalState(): string | undefined } }).__virtlab.terminalState() === 'attached', null, { timeout });
}

/** The visible terminal's text (scrollback and screen), read from the xterm buffer. */
export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __virtlab: { terminalText(): string } }).__virtlab.terminalText());
}

/** Waits until the visible terminal's text matches; the error shows what it held. */
export async function waitForTerminal(page: Page, re: RegExp, timeout = 30_000): Promise<string> {
  try {
    await page.waitForFunction((src) => new RegExp(src[0], src[1]).test((window as unknown as { __virtlab: { terminalText(): string } }).__virtlab.terminalText()), [re.source, re.flags], { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`the terminal never showed ${re}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n--- terminal ---\n${await terminalText(page)}`);
  }
  return terminalText(page);
}

/** Types a command line into the visible terminal as a person would, Enter included. */
export async function typeInTerminal(page: Page, line: string): Promise<void> {
  await page.click('.terminal-view:not([hidden]) .xterm');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}
