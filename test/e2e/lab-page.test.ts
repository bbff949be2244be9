// The web platform in Chromium, end to end: a student signs in, starts
// ha-loadbalance from the lab page, runs kubectl in the page's terminal (the
// output read back from the xterm buffer), clicks a command button of the
// chapter, reloads and finds the same shell with its scrollback, grades from
// the shell and from the page and sees both; the instructor sees the class
// progress, downloads the gradebook CSV and looks at the student's cluster.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, NO_BROWSER, openPage, signIn, startPlatform, terminalAttached, terminalText, typeInTerminal, waitForTerminal, type Platform } from './harness.ts';

const LAB = 'ha-loadbalance';
const STUDENT = { username: 'ada', password: 'ada-password-1' };

describe('the lab page in a browser', { skip: NO_BROWSER }, () => {
  let p: Platform;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let studentId: number;

  before(async () => {
    p = await startPlatform();
    studentId = await p.addStudent(STUDENT.username, STUDENT.password);
    ({ context, page, errors } = await openPage(p));
  });
  after(async () => {
    await context?.close();
    await p?.close();
  });

  it('signs a student in and lists the labs', async () => {
    await page.goto(p.url);
    await page.fill('input[name=username]', STUDENT.username);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('.sign-in .error:text("Wrong username or password.")');
    await signIn(page, p.url, STUDENT.username, STUDENT.password);
    await page.waitForSelector(`.lab-card[data-lab="${LAB}"]`);
    assert.equal(await page.textContent(`.lab-card[data-lab="${LAB}"] .lab-state`), 'not started');
    assert.equal(await page.locator('.app-nav a', { hasText: 'Class progress' }).count(), 0, 'a student has no instructor link');
  });

  it('starts the lab with the Start button, like lab start', async () => {
    await page.click(`.lab-card[data-lab="${LAB}"] h2 a`);
    await page.waitForURL(`**/labs/${LAB}`);
    await page.waitForSelector('.chapter h1');
    await terminalAttached(page);
    await page.click('.action-start');
    await page.waitForSelector('.output-box pre');
    const output = await page.textContent('.output-box pre');
    assert.match(output ?? '', /namespace\/ha-loadbalance created/);
    assert.match(output ?? '', /Lab ha-loadbalance is ready/);
    await page.waitForSelector('.lab-header .lab-state:text-matches("^started ")');
  });

  let shellPid = '';
  it('runs kubectl in the page\'s terminal and reads its output from the xterm buffer', async () => {
    await typeInTerminal(page, 'kubectl get vm -n ha-loadbalance');
    const text = await waitForTerminal(page, /^web2\s+\S+\s+Stopped\s+False\s*$/m);
    assert.match(text, /^NAME\s+AGE\s+STATUS\s+READY\s*$/m);
    assert.match(text, /^web1\s+\S+\s+Stopped\s+False\s*$/m);
    await typeInTerminal(page, 'echo "pid=$$=pid"');
    shellPid = /^pid=(\d+)=pid$/m.exec(await waitForTerminal(page, /^pid=\d+=pid$/m))![1];
  });

  it('types a chapter command into the terminal with its Run button', async () => {
    const command = 'kubectl config set-context --current --namespace ha-loadbalance';
    await page.click('#lab-tab-chapter');
    await page.click(`.code-button.run[data-command="${command}"]`);
    await waitForTerminal(page, /^Context "virtlab" modified\.$/m);
    // The context's namespace now applies: no -n needed.
    await typeInTerminal(page, 'kubectl get vm web1 -o name');
    await waitForTerminal(page, /^virtualmachine\.kubevirt\.io\/web1$/m);
  });

  it('finds the same shell and its scrollback after a reload', async () => {
    await page.reload();
    await terminalAttached(page);
    const text = await waitForTerminal(page, /Context "virtlab" modified\./);
    assert.match(text, /^web1\s+\S+\s+Stopped\s+False\s*$/m, 'the scrollback is replayed');
    await typeInTerminal(page, 'echo "pid=$$=again"');
    const again = /^pid=(\d+)=again$/m.exec(await waitForTerminal(page, /^pid=\d+=again$/m))![1];
    assert.equal(again, shellPid, 'the same shell process');
  });

  it('shows a lab grade typed in the shell in the page', async () => {
    await typeInTerminal(page, `lab grade ${LAB} --no-behavioural`);
    await waitForTerminal(page, /^Score: 0\/\d+ \(0%\)/m);
    // The chapter is showing: the Steps & grade tab gets a mark, and has the report.
    await page.waitForSelector('#lab-tab-progress .news-dot');
    await page.click('#lab-tab-progress');
    await page.waitForSelector('.report-box .grade-report .grade-summary:has-text("graded from the shell")');
    assert.equal(await page.locator('.report-box .check[data-check="vms-labelled"] .status-badge').textContent(), 'FAIL');
    await page.waitForSelector('.step[data-step="label-vms"].failed');
  });

  it('grades with the Grade button: the report with messages and hints, the steps, the history', async () => {
    await page.uncheck('#behavioural-checks');
    await page.click('.action-grade');
    await page.waitForSelector('.report-box .grade-report .grade-summary:has-text("graded from the page")');
    const check = page.locator('.report-box .check[data-check="vms-labelled"]');
    assert.equal(await check.locator('.status-badge').textContent(), 'FAIL');
    assert.match(await check.locator('.check-message').textContent() ?? '', /VM ha-loadbalance\/web1 has no label app=helloworld/);
    assert.match(await check.locator('.check-hint').textContent() ?? '', /spec\.template\.metadata\.labels/);
    assert.equal(await page.locator('.report-box .check[data-check="sticky-failover"] .status-badge').textContent(), 'SKIP');
    assert.match(await page.textContent('.output-box pre') ?? '', /^FAIL {2}\[0\/10\] vms-labelled/m, 'the CLI output as lab grade prints it');
    await page.waitForSelector('.history li:nth-child(2)');
    const history = await page.locator('.history li').allTextContents();
    assert.match(history[0], /from the page/);
    assert.match(history[1], /from the shell/);
  });

  it('shows the cluster: nodes as columns, the lab\'s VMs, and the events', async () => {
    await page.click('#lab-tab-topology');
    await page.waitForSelector('.topo-node[data-node="worker-0"]');
    assert.equal(await page.locator('.topo-node').count(), 3, 'one column per worker');
    assert.match(await page.locator('.topo-idle').textContent() ?? '', /web1\s*Stopped/);
    await page.click('#lab-tab-events');
    await page.waitForSelector('.timeline-entry[data-source="grade"]');
    assert.deepEqual(errors, [], 'no errors in the page');
  });

  it('lets the instructor see the progress, download the gradebook and look at the student\'s cluster', async () => {
    const { context: ictx, page: ipage, errors: ierrors } = await openPage(p);
    try {
      await signIn(ipage, p.url, ADMIN.username, ADMIN.password);
      await ipage.click('.app-nav a:text("Class progress")');
      const row = ipage.locator(`table.progress[data-lab="${LAB}"] tr[data-student="${STUDENT.username}"]`);
      await row.waitFor();
      assert.match(await row.locator('td.step-cell[data-step="label-vms"]').getAttribute('class') ?? '', /\bfailed\b/);
      assert.match(await row.textContent() ?? '', /0\/90/, 'the last grade: 0 of the 90 points of the checks that ran');

      const [download] = await Promise.all([ipage.waitForEvent('download'), ipage.click('a:text("Download gradebook (CSV)")')]);
      assert.equal(download.suggestedFilename(), 'gradebook.csv');
      const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
      assert.match(csv[0], /^username,display_name,.*ha-loadbalance score,ha-loadbalance max,ha-loadbalance passed/);
      const header = csv[0].split(',');
      const ada = csv.find((l) => l.startsWith(`${STUDENT.username},`))!.split(',');
      assert.equal(ada[header.indexOf('ha-loadbalance score')], '0');
      assert.equal(ada[header.indexOf('ha-loadbalance passed')], 'no');
      assert.equal(ada[header.indexOf('ha-loadbalance runs')], '2');

      await row.locator('th a').click();
      await ipage.waitForURL(`**/instructor/students/${studentId}?lab=${LAB}`);
      await ipage.waitForSelector('.student .topo-node[data-node="worker-0"]');
      assert.match(await ipage.locator('.student .topo-idle').textContent() ?? '', /web1/);
      await ipage.waitForSelector('.student .grade-report .check[data-check="vms-labelled"]');
      assert.deepEqual(ierrors, []);
    } finally {
      await ictx.close();
    }
  });

  it('works from the keyboard, the terminal included, and switches themes', async () => {
    await page.click('.lab-header h1');
    await page.keyboard.press('?');
    await page.waitForSelector('dialog.shortcuts-help[open]');
    assert.match(await page.textContent('dialog.shortcuts-help') ?? '', /Alt\+Shift\+G\s*Grade the lab/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.shortcuts-help', { state: 'detached' });
    // With the focus in the terminal, Alt+Shift shortcuts still reach the page and nothing reaches the shell.
    await page.click('.terminal-view:not([hidden]) .xterm');
    const before = await terminalText(page);
    await page.keyboard.press('Alt+Shift+Digit3');
    assert.equal(await page.getAttribute('#lab-tab-topology', 'aria-selected'), 'true');
    await page.keyboard.press('Alt+Shift+Digit1');
    assert.equal(await page.getAttribute('#lab-tab-chapter', 'aria-selected'), 'true');
    // Arrow keys move between the section tabs.
    await page.focus('#lab-tab-chapter');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lab-tab-progress');
    const theme = await page.getAttribute('html', 'data-theme');
    await page.keyboard.press('Alt+Shift+KeyD');
    assert.notEqual(await page.getAttribute('html', 'data-theme'), theme);
    await page.click('.theme-toggle');
    assert.equal(await page.getAttribute('html', 'data-theme'), theme);
    assert.equal(await terminalText(page), before, 'the shortcuts typed nothing into the shell');
  });

  it('stacks chapter and terminal on a narrow screen', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.click('#lab-tab-chapter');
    const left = await page.locator('.lab-left').boundingBox();
    const right = await page.locator('.lab-right').boundingBox();
    assert.ok(left && right && right.y >= left.y + left.height - 1, `terminal below the chapter (${JSON.stringify({ left, right })})`);
    assert.ok(right.width <= 400, 'the terminal fits the width');
    await terminalAttached(page);
    assert.match(await terminalText(page), /pid=\d+=again/);
  });
});
