// A lab: the chapter on the left (with the steps and grade, the live
// topology and the events timeline in tabs beside it) and the terminal on
// the right; on a narrow screen they stack. Start / Grade / Finish act like
// the CLI; a `lab grade` typed in the terminal shows up here through the
// event stream, as do every change of the cluster.

import { ApiError } from '../api.ts';
import type { AppContext } from '../context.ts';
import { h, replace, when } from '../dom.ts';
import { renderChapter } from '../lab/chapter.ts';
import { renderGradeReport } from '../lab/grade-report.ts';
import { LabActions, type LabAction } from '../lab/lab-actions.ts';
import { PaneTabs } from '../lab/pane-tabs.ts';
import { renderSteps } from '../lab/steps.ts';
import type { View } from '../router.ts';
import { exposeTerminalPanel } from '../test-hooks.ts';
import { TerminalPanel } from '../terminal/terminal-panel.ts';
import { Timeline } from '../timeline.ts';
import { topologyChanges } from '../topology/changes.ts';
import { TopologyView } from '../topology/topology-view.ts';
import type { GradeRun, GradeRunSummary, LabAnswer, LabPage, Topology } from '../types.ts';

export class LabPageView implements View {
  readonly element: HTMLElement;
  title: string;
  private page: LabPage | undefined;
  private readonly header = h('header', { class: 'lab-header' });
  private readonly chapterPane = h('div', { class: 'chapter-pane' }, h('p', { class: 'muted' }, 'Loading the chapter…'));
  private readonly stepsBox = h('div', { class: 'steps-box' });
  private readonly outputBox = h('div', { class: 'output-box' });
  private readonly reportBox = h('div', { class: 'report-box' });
  private readonly historyBox = h('div', { class: 'history-box' });
  private readonly topology = new TopologyView();
  private readonly timeline = new Timeline();
  private readonly tabs: PaneTabs;
  private readonly terminal: TerminalPanel;
  private readonly actions: LabActions;
  private readonly unsubscribe: (() => void)[] = [];
  private lastTopology: Topology | undefined;
  private shownRun: number | undefined;
  private chapterShown = false;

  constructor(private readonly ctx: AppContext, private readonly labId: string) {
    this.title = labId;
    this.actions = new LabActions({ api: ctx.api, labId, done: (a, answer) => this.actionDone(a, answer) });
    const progressPane = h('div', { class: 'progress-pane' }, this.stepsBox, this.outputBox, this.reportBox, this.historyBox);
    const topologyPane = h('div', { class: 'topology-pane' }, this.topology.element);
    const eventsPane = h('div', { class: 'events-pane' }, this.timeline.element);
    this.tabs = new PaneTabs([
      { id: 'chapter', label: 'Chapter', element: this.chapterPane },
      { id: 'progress', label: 'Steps & grade', element: progressPane },
      { id: 'topology', label: 'Topology', element: topologyPane, shown: () => this.topology.shown() },
      { id: 'events', label: 'Events', element: eventsPane },
    ], 'lab');
    this.terminal = new TerminalPanel({
      theme: ctx.theme, shortcuts: ctx.shortcuts, query: { lab: labId },
      // The lab page's shell makes the student's cluster: once it is there, so is a topology to show.
      onState: (_tab, s) => { if (s === 'attached' && !this.lastTopology) void this.fetchTopology(true); },
    });
    this.element = h('div', { class: 'lab-page' },
      this.header,
      h('div', { class: 'lab-split' },
        h('div', { class: 'lab-left' }, this.tabs.element),
        h('div', { class: 'lab-right' }, this.terminal.element)));
    this.tabs.select('chapter');
    this.renderHeader();
  }

  mounted(): void {
    exposeTerminalPanel(this.terminal);
    this.terminal.start();
    this.registerShortcuts();
    this.unsubscribe.push(
      this.ctx.stream.on('topology', (t) => this.showTopology(t)),
      this.ctx.stream.on('grade', (e) => { if (e.labId === this.labId) void this.gradeArrived(e.run); }),
      this.ctx.stream.on('lab', (e) => {
        if (e.labId !== this.labId) return;
        this.timeline.add({ at: new Date(), severity: e.exitCode === 0 ? 'good' : 'warning', source: 'lab', text: `lab ${e.action} ${e.labId} from the ${e.source === 'shell' ? 'shell' : 'page'}: ${e.exitCode === 0 ? 'done' : `exit code ${e.exitCode}`}` });
        void this.reload();
      }),
    );
    if (this.ctx.stream.lastTopology) this.showTopology(this.ctx.stream.lastTopology);
    else void this.fetchTopology();
    void this.reload().then(() => this.loadHistory());
  }

  private registerShortcuts(): void {
    const panes = ['chapter', 'progress', 'topology', 'events'];
    this.ctx.shortcuts.set('lab', [
      ...panes.map((p, i) => ({ keys: `Alt+Shift+${i + 1}`, description: `Show ${['the chapter', 'steps and grade', 'the topology', 'the events'][i]}`, run: () => this.tabs.select(p, true) })),
      { keys: 'Alt+Shift+S', description: 'Start the lab (lab start)', run: () => { void this.actions.run('start'); } },
      { keys: 'Alt+Shift+G', description: 'Grade the lab (lab grade)', run: () => { void this.actions.run('grade'); } },
      { keys: 'Alt+Shift+F', description: 'Finish the lab (lab finish)', run: () => { void this.actions.run('finish'); } },
      { keys: 'Alt+Shift+J', description: 'Focus the terminal', run: () => this.terminal.current()?.focus() },
      { keys: 'Alt+Shift+T', description: 'New terminal tab', run: () => this.terminal.addTab() },
      { keys: 'Alt+Shift+W', description: 'Close the terminal tab', run: () => this.terminal.closeCurrent() },
      { keys: 'Alt+Shift+ArrowRight', description: 'Next terminal tab', run: () => this.terminal.cycle(1) },
      { keys: 'Alt+Shift+ArrowLeft', description: 'Previous terminal tab', run: () => this.terminal.cycle(-1) },
    ]);
  }

  private async reload(): Promise<void> {
    try {
      this.page = await this.ctx.api.get<LabPage>(`/api/labs/${encodeURIComponent(this.labId)}`);
    } catch (e) {
      const text = e instanceof ApiError && e.status === 404 ? `There is no lab "${this.labId}".` : `The lab could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      replace(this.chapterPane, h('p', { class: 'error', role: 'alert' }, text, ' ', h('a', { href: '/' }, 'Back to the labs')));
      return;
    }
    const first = !this.chapterShown;
    this.chapterShown = true;
    this.title = this.page.lab.title;
    if (first) {
      document.title = `${this.title} · virtlab`;
      replace(this.chapterPane, renderChapter(this.page.chapter, { run: (c) => this.terminal.type(c) }));
    }
    this.renderHeader();
    replace(this.stepsBox, renderSteps(this.page.steps));
    if (first && this.page.lastGrade && this.shownRun === undefined) void this.showRun(this.page.lastGrade.id);
  }

  private renderHeader(): void {
    const p = this.page;
    const state = p?.state.finishedAt && (!p.state.startedAt || p.state.finishedAt >= p.state.startedAt)
      ? ['finished ', when(p.state.finishedAt)]
      : p?.state.startedAt ? ['started ', when(p.state.startedAt)] : 'not started';
    replace(this.header,
      h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('a', { href: '/' }, 'Labs'), ' / '),
      h('h1', {}, p?.lab.title ?? this.labId),
      p ? h('p', { class: 'lab-meta muted' },
        h('span', { class: 'badge' }, p.lab.kind), ` · ${p.lab.estimatedMinutes} min · namespaces ${p.lab.namespaces.join(', ')} · `,
        h('span', { class: 'lab-state' }, state)) : null,
      this.actions.element);
  }

  private showTopology(t: Topology): void {
    for (const c of topologyChanges(this.lastTopology, t)) this.timeline.add({ at: new Date(), severity: c.severity, source: 'cluster', text: c.text });
    this.lastTopology = t;
    this.topology.update(t);
  }

  /** Reads the topology once; with `watch`, reconnects the stream so the server starts watching a cluster made since. */
  private async fetchTopology(watch = false): Promise<void> {
    try {
      this.showTopology(await this.ctx.api.get<Topology>('/api/topology'));
      if (watch && !this.ctx.stream.lastTopology) this.ctx.stream.restart();
    } catch (e) {
      if (!this.lastTopology) this.topology.showMessage(e instanceof ApiError && e.status === 404 ? 'No cluster yet: Start the lab (or open a terminal) and it appears here.' : `The topology could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private actionDone(action: LabAction, answer: LabAnswer): void {
    const title = h('h2', {}, `lab ${action} ${this.labId}`, h('span', { class: `muted exit-${answer.exitCode === 0 ? 'ok' : 'bad'}` }, ` exit code ${answer.exitCode}`));
    const output = h('pre', { class: 'cli-output', tabindex: 0, 'aria-label': `Output of lab ${action}` }, answer.output || '(no output)');
    // A grade's report below says it all again, better laid out: its CLI output stays folded.
    replace(this.outputBox, answer.report
      ? h('details', { class: 'cli-details' }, h('summary', {}, title), output)
      : [title, output]);
    if (answer.report && answer.run) {
      this.shownRun = answer.run.id;
      replace(this.reportBox, renderGradeReport(answer.report, answer.run));
    }
    this.tabs.select('progress');
    if (action === 'start' && !this.lastTopology) void this.fetchTopology();
    void this.reload().then(() => this.loadHistory());
  }

  /** A grade was stored (from this page, another page, or `lab grade` in a shell). */
  private async gradeArrived(run: GradeRunSummary): Promise<void> {
    this.timeline.add({ at: new Date(), severity: run.passed ? 'good' : 'warning', source: 'grade', text: `Graded from the ${run.source === 'shell' ? 'shell' : 'page'}: ${run.score}/${run.maxScore}${run.passed ? ', passed' : ''}` });
    if (run.id !== this.shownRun) {
      await this.showRun(run.id);
      this.tabs.mark('progress');
    }
    await this.reload();
    await this.loadHistory();
  }

  private async showRun(id: number): Promise<void> {
    try {
      const run = await this.ctx.api.get<GradeRun>(`/api/labs/${encodeURIComponent(this.labId)}/grades/${id}`);
      this.shownRun = run.id;
      replace(this.reportBox, renderGradeReport(run.report, run));
    } catch (e) {
      replace(this.reportBox, h('p', { class: 'error' }, `Grade run ${id} could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private async loadHistory(): Promise<void> {
    let grades: GradeRunSummary[];
    try {
      grades = (await this.ctx.api.get<{ grades: GradeRunSummary[] }>(`/api/labs/${encodeURIComponent(this.labId)}/grades`)).grades;
    } catch {
      return;
    }
    if (!grades.length) {
      replace(this.historyBox);
      return;
    }
    replace(this.historyBox, h('h2', {}, 'Grade history'),
      h('ol', { class: 'history' }, grades.slice(0, 20).map((g) => h('li', {},
        h('button', { type: 'button', class: `link-button${g.id === this.shownRun ? ' current' : ''}`, onclick: () => { void this.showRun(g.id).then(() => this.loadHistory()); } },
          `${g.score}/${g.maxScore} ${g.passed ? 'passed' : 'not passed'}`),
        h('span', { class: 'muted' }, ` from the ${g.source === 'shell' ? 'shell' : 'page'} `, when(g.startedAt))))));
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    this.ctx.shortcuts.clear('lab');
    exposeTerminalPanel(undefined);
    this.terminal.dispose();
    this.topology.dispose();
  }
}
