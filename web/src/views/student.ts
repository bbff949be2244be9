// One student as the instructor sees them: their grade history in a lab
// (each run's full report), and their cluster's topology, refreshed while
// the page is open.

import { ApiError } from '../api.ts';
import type { AppContext } from '../context.ts';
import { h, replace, when } from '../dom.ts';
import { renderGradeReport } from '../lab/grade-report.ts';
import type { View } from '../router.ts';
import { TopologyView } from '../topology/topology-view.ts';
import type { ClassProgress, GradeRun, GradeRunSummary, Topology, User } from '../types.ts';

const TOPOLOGY_REFRESH_MS = 2000;

export class StudentView implements View {
  readonly element: HTMLElement;
  title = 'Student';
  private readonly heading = h('h1', {}, 'Student');
  private readonly labSelect = h('select', { id: 'student-lab' });
  private readonly history = h('div', { class: 'history-box' });
  private readonly report = h('div', { class: 'report-box' });
  private readonly topology = new TopologyView({ title: 'The student\'s cluster' });
  private timer: number | undefined;
  private labId: string;

  constructor(private readonly ctx: AppContext, private readonly studentId: string, query: URLSearchParams) {
    this.labId = query.get('lab') ?? '';
    this.labSelect.addEventListener('change', () => {
      this.labId = this.labSelect.value;
      history.replaceState(null, '', `/instructor/students/${this.studentId}?lab=${encodeURIComponent(this.labId)}`);
      replace(this.report);
      void this.loadHistory();
    });
    this.element = h('div', { class: 'student' },
      h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('a', { href: '/instructor' }, 'Class progress'), ' / '),
      this.heading,
      h('div', { class: 'student-split' },
        h('section', { 'aria-labelledby': 'grades-title' },
          h('h2', { id: 'grades-title' }, 'Grades'),
          h('div', { class: 'toolbar' }, h('label', { for: 'student-lab' }, 'Lab '), this.labSelect),
          this.history, this.report),
        h('section', { 'aria-labelledby': 'cluster-title' },
          h('h2', { id: 'cluster-title' }, 'Cluster'),
          this.topology.element)));
  }

  mounted(): void {
    void this.load();
    void this.loadTopology();
    this.timer = window.setInterval(() => { void this.loadTopology(); }, TOPOLOGY_REFRESH_MS);
  }

  private async load(): Promise<void> {
    try {
      const progress = await this.ctx.api.get<ClassProgress>('/api/instructor/progress');
      const student = progress.students.find((s) => String(s.id) === this.studentId);
      const name = student ? student.displayName || student.username : `user ${this.studentId}`;
      this.title = name;
      document.title = `${name} · virtlab`;
      this.heading.textContent = name;
      if (!progress.labs.some((l) => l.id === this.labId)) this.labId = progress.labs.find((l) => student?.labs[l.id])?.id ?? progress.labs[0]?.id ?? '';
      replace(this.labSelect, progress.labs.map((l) => h('option', { value: l.id, selected: l.id === this.labId }, l.title)));
      await this.loadHistory();
    } catch (e) {
      replace(this.history, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private async loadHistory(): Promise<void> {
    if (!this.labId) return;
    try {
      const { grades } = await this.ctx.api.get<{ user: User; grades: GradeRunSummary[] }>(`/api/instructor/students/${this.studentId}/grades?lab=${encodeURIComponent(this.labId)}`);
      if (!grades.length) {
        replace(this.history, h('p', { class: 'muted' }, 'Not graded in this lab yet.'));
        return;
      }
      replace(this.history, h('ol', { class: 'history' }, grades.map((g) => h('li', {},
        h('button', { type: 'button', class: 'link-button', onclick: () => { void this.showRun(g.id); } }, `${g.score}/${g.maxScore} ${g.passed ? 'passed' : 'not passed'}`),
        h('span', { class: 'muted' }, ` from the ${g.source === 'shell' ? 'shell' : 'page'} `, when(g.startedAt))))));
      await this.showRun(grades[0].id);
    } catch (e) {
      replace(this.history, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private async showRun(id: number): Promise<void> {
    try {
      const run = await this.ctx.api.get<GradeRun>(`/api/instructor/students/${this.studentId}/grades/${id}`);
      replace(this.report, renderGradeReport(run.report, run));
    } catch (e) {
      replace(this.report, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private async loadTopology(): Promise<void> {
    try {
      this.topology.update(await this.ctx.api.get<Topology>(`/api/instructor/students/${this.studentId}/topology`));
    } catch (e) {
      this.topology.showMessage(e instanceof ApiError && e.status === 404 ? 'This student has no cluster yet (it is made by their first lab start).' : `The topology could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    window.clearInterval(this.timer);
    this.topology.dispose();
  }
}
