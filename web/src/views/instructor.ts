// The instructor's dashboard: the class's progress per lab and step, the
// gradebook as CSV, links to each student's grades and cluster, and the
// accounts (students are created here).

import type { AppContext } from '../context.ts';
import { h, replace, when } from '../dom.ts';
import type { View } from '../router.ts';
import type { ClassProgress, StepStatus, User } from '../types.ts';

const MARK: Record<StepStatus, string> = { passed: '✓', failed: '✗', skipped: '–' };
const REFRESH_MS = 10_000;

export class InstructorView implements View {
  readonly element: HTMLElement;
  readonly title = 'Class progress';
  private progress: ClassProgress | undefined;
  private labId: string;
  private readonly labSelect = h('select', { id: 'progress-lab' });
  private readonly table = h('div', { class: 'progress-table' }, h('p', { class: 'muted' }, 'Loading the class…'));
  private readonly accounts = h('div', { class: 'accounts' });
  private timer: number | undefined;

  constructor(private readonly ctx: AppContext, query: URLSearchParams) {
    this.labId = query.get('lab') ?? '';
    this.labSelect.addEventListener('change', () => {
      this.labId = this.labSelect.value;
      history.replaceState(null, '', `/instructor?lab=${encodeURIComponent(this.labId)}`);
      this.renderTable();
    });
    this.element = h('div', { class: 'instructor' },
      h('h1', {}, 'Class progress'),
      h('div', { class: 'toolbar' },
        h('label', { for: 'progress-lab' }, 'Lab '), this.labSelect,
        h('span', { class: 'spacer' }),
        h('a', { class: 'button', href: '/api/instructor/gradebook.csv', download: 'gradebook.csv' }, 'Download gradebook (CSV)')),
      this.table,
      h('h2', {}, 'Accounts'),
      this.createUserForm(),
      this.accounts);
  }

  mounted(): void {
    void this.load();
    void this.loadUsers();
    this.timer = window.setInterval(() => { void this.load(); }, REFRESH_MS);
  }

  private async load(): Promise<void> {
    try {
      this.progress = await this.ctx.api.get<ClassProgress>('/api/instructor/progress');
    } catch (e) {
      replace(this.table, h('p', { class: 'error', role: 'alert' }, `The progress could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const labs = this.progress.labs;
    if (!labs.some((l) => l.id === this.labId)) {
      // Default to the lab with the most activity.
      const activity = (id: string): number => this.progress!.students.filter((s) => s.labs[id]).length;
      this.labId = [...labs].sort((a, b) => activity(b.id) - activity(a.id))[0]?.id ?? '';
    }
    replace(this.labSelect, labs.map((l) => h('option', { value: l.id, selected: l.id === this.labId }, l.title)));
    this.renderTable();
  }

  private renderTable(): void {
    const p = this.progress;
    const lab = p?.labs.find((l) => l.id === this.labId);
    if (!p || !lab) {
      replace(this.table, h('p', { class: 'muted' }, 'No labs.'));
      return;
    }
    if (!p.students.length) {
      replace(this.table, h('p', { class: 'muted' }, 'No students yet: create them below.'));
      return;
    }
    const passedCount = (step: string): number => p.students.filter((s) => s.labs[lab.id]?.steps[step] === 'passed').length;
    replace(this.table, h('table', { class: 'progress', 'data-lab': lab.id },
      h('caption', {}, `${lab.title}: progress per step (latest grade of each student)`),
      h('thead', {},
        h('tr', {},
          h('th', { scope: 'col' }, 'Student'),
          h('th', { scope: 'col' }, 'State'),
          lab.steps.map((s, i) => h('th', { scope: 'col', title: s.title }, `${i + 1}. ${s.id}`, h('div', { class: 'muted' }, `${passedCount(s.id)}/${p.students.length}`))),
          h('th', { scope: 'col' }, 'Last grade'),
          h('th', { scope: 'col' }, 'Best'),
          h('th', { scope: 'col' }, 'Runs'))),
      h('tbody', {}, p.students.map((s) => {
        const e = s.labs[lab.id];
        const state = !e ? 'not started' : e.finishedAt && (!e.startedAt || e.finishedAt >= e.startedAt) ? 'finished' : e.startedAt ? 'started' : 'graded';
        return h('tr', { 'data-student': s.username },
          h('th', { scope: 'row' }, h('a', { href: `/instructor/students/${s.id}?lab=${encodeURIComponent(lab.id)}` }, s.displayName || s.username),
            s.displayName && s.displayName !== s.username ? h('div', { class: 'muted' }, s.username) : null),
          h('td', {}, state, e?.startedAt ? h('div', { class: 'muted' }, when(e.startedAt)) : null),
          lab.steps.map((st) => {
            const status = e?.steps[st.id];
            return h('td', { class: `step-cell ${status ?? 'pending'}`, title: `${st.title}: ${status ?? 'not graded'}`, 'data-step': st.id },
              h('span', { 'aria-hidden': 'true' }, status ? MARK[status] : '·'), h('span', { class: 'visually-hidden' }, status ?? 'not graded'));
          }),
          h('td', {}, e?.lastGrade ? [`${e.lastGrade.score}/${e.lastGrade.maxScore} `, h('div', { class: 'muted' }, when(e.lastGrade.startedAt))] : '—'),
          h('td', {}, e?.best !== undefined ? String(e.best) : '—'),
          h('td', {}, String(e?.runs ?? 0)));
      }))));
  }

  private async loadUsers(): Promise<void> {
    try {
      const { users } = await this.ctx.api.get<{ users: User[] }>('/api/users');
      replace(this.accounts, h('table', { class: 'users' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Username'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Role'))),
        h('tbody', {}, users.map((u) => h('tr', {},
          h('td', {}, u.role === 'student' ? h('a', { href: `/instructor/students/${u.id}` }, u.username) : u.username),
          h('td', {}, u.displayName), h('td', {}, u.role))))));
    } catch (e) {
      replace(this.accounts, h('p', { class: 'error' }, `The accounts could not be loaded: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private createUserForm(): HTMLElement {
    const username = h('input', { name: 'username', required: true, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' });
    const displayName = h('input', { name: 'displayName', autocomplete: 'off' });
    const password = h('input', { name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
    const role = h('select', { name: 'role' }, h('option', { value: 'student' }, 'student'), h('option', { value: 'instructor' }, 'instructor'));
    const message = h('p', { role: 'status' });
    const form = h('form', { class: 'inline-form', 'aria-label': 'Create an account' },
      h('label', { class: 'field' }, h('span', {}, 'Username'), username),
      h('label', { class: 'field' }, h('span', {}, 'Display name'), displayName),
      h('label', { class: 'field' }, h('span', {}, 'Password'), password),
      h('label', { class: 'field' }, h('span', {}, 'Role'), role),
      h('button', { type: 'submit', class: 'button' }, 'Create account'),
      message);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      message.className = '';
      this.ctx.api.post<{ user: User }>('/api/users', {
        username: username.value.trim(), password: password.value, role: role.value,
        ...(displayName.value.trim() ? { displayName: displayName.value.trim() } : {}),
      }).then(({ user }) => {
        message.textContent = `${user.role} ${user.username} created.`;
        form.reset();
        void this.loadUsers();
        void this.load();
      }, (err: unknown) => {
        message.className = 'error';
        message.textContent = err instanceof Error ? err.message : String(err);
      });
    });
    return form;
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }
}
