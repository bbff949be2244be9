// Start, Grade and Finish: the same requests the CLI's `lab start|grade|finish`
// make on the server (the same code runs, the same result is stored), with
// the CLI's output shown as it printed it. One action at a time.

import type { Api } from '../api.ts';
import { h } from '../dom.ts';
import type { LabAnswer } from '../types.ts';

export type LabAction = 'start' | 'grade' | 'finish';

export interface LabActionsOptions {
  api: Api;
  labId: string;
  /** After an action answered (also on failures, with the error as output). */
  done(action: LabAction, answer: LabAnswer): void;
}

const LABELS: Record<LabAction, { idle: string; busy: string }> = {
  start: { idle: 'Start', busy: 'Starting…' },
  grade: { idle: 'Grade', busy: 'Grading…' },
  finish: { idle: 'Finish', busy: 'Finishing…' },
};

export class LabActions {
  readonly element: HTMLElement;
  private readonly buttons = new Map<LabAction, HTMLButtonElement>();
  private readonly behavioural: HTMLInputElement;
  private readonly status: HTMLElement;
  private busy = false;

  constructor(private readonly o: LabActionsOptions) {
    this.behavioural = h('input', { type: 'checkbox', id: 'behavioural-checks', checked: true });
    this.status = h('span', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
    const hints: Record<LabAction, string> = {
      start: 'lab start: create the lab\'s namespaces and objects (Alt+Shift+S)',
      grade: 'lab grade: run the grader on your cluster (Alt+Shift+G)',
      finish: 'lab finish: delete what the lab created (Alt+Shift+F)',
    };
    for (const a of ['start', 'grade', 'finish'] as const) {
      this.buttons.set(a, h('button', { type: 'button', class: `button action-${a}${a === 'grade' ? ' primary' : ''}`, title: hints[a], onclick: () => { void this.run(a); } }, LABELS[a].idle));
    }
    this.element = h('div', { class: 'lab-actions' },
      ...this.buttons.values(),
      h('label', { class: 'checkbox', title: 'Behavioural checks inject a fault and watch the recovery (like lab grade without --no-behavioural)' },
        this.behavioural, ' behavioural checks'),
      this.status);
  }

  async run(action: LabAction): Promise<void> {
    if (this.busy) return;
    if (action === 'finish' && !window.confirm('Finish the lab? Its namespaces and everything in them are deleted (lab finish).')) return;
    this.busy = true;
    for (const [a, b] of this.buttons) {
      b.disabled = true;
      if (a === action) b.textContent = LABELS[a].busy;
    }
    this.status.textContent = `lab ${action} ${this.o.labId} is running…`;
    let answer: LabAnswer;
    try {
      const body = action === 'grade' ? { behavioural: this.behavioural.checked } : {};
      answer = await this.o.api.post<LabAnswer>(`/api/labs/${encodeURIComponent(this.o.labId)}/${action}`, body);
      this.status.textContent = `lab ${action} ${answer.exitCode === 0 ? 'done' : `exited with ${answer.exitCode}`}`;
    } catch (e) {
      answer = { exitCode: -1, output: `error: ${e instanceof Error ? e.message : String(e)}\n` };
      this.status.textContent = `lab ${action} failed`;
    } finally {
      this.busy = false;
      for (const [a, b] of this.buttons) {
        b.disabled = false;
        b.textContent = LABELS[a].idle;
      }
    }
    this.o.done(action, answer);
  }
}
