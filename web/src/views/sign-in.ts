// Signing in, and on a first run the one-time setup of the first instructor
// (the token `lab serve` printed, as `/setup?token=…`).

import { ApiError, type Api } from '../api.ts';
import { h } from '../dom.ts';
import type { View } from '../router.ts';
import type { SessionInfo } from '../types.ts';

function field(label: string, input: HTMLInputElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

export interface SignInOptions {
  api: Api;
  bootstrapPending: boolean;
  setupToken?: string;
  /** Signed in (or the first instructor created): the app takes over. */
  signedIn(session: SessionInfo): void;
}

export class SignInView implements View {
  readonly element: HTMLElement;
  readonly title: string;

  constructor(private readonly o: SignInOptions) {
    const setup = o.bootstrapPending && !!o.setupToken;
    this.title = setup ? 'Create the first instructor' : 'Sign in';
    this.element = h('div', { class: 'sign-in' }, setup ? this.setupForm(o.setupToken!) : this.loginForm());
  }

  mounted(): void {
    this.element.querySelector<HTMLInputElement>('input')?.focus();
  }

  private loginForm(): HTMLElement {
    const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');
    const form = h('form', { class: 'card form', 'aria-labelledby': 'sign-in-title' },
      h('h1', { id: 'sign-in-title' }, 'Sign in to virtlab'),
      field('Username', username), field('Password', password), error, submit,
      this.o.bootstrapPending ? h('p', { class: 'muted' }, 'No instructor exists yet: open the setup link that `lab serve` printed, or start it with --admin-password.') : null);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      this.o.api.post<SessionInfo>('/api/login', { username: username.value.trim(), password: password.value })
        .then((s) => this.o.signedIn(s), (err: unknown) => {
          error.textContent = err instanceof ApiError && err.status === 401 ? 'Wrong username or password.' : err instanceof Error ? err.message : String(err);
          password.select();
        })
        .finally(() => { submit.disabled = false; });
    });
    return form;
  }

  private setupForm(token: string): HTMLElement {
    const username = h('input', { name: 'username', autocomplete: 'username', required: true, value: 'admin', autocapitalize: 'off', spellcheck: 'false' });
    const displayName = h('input', { name: 'displayName', autocomplete: 'name' });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'button primary' }, 'Create instructor');
    const form = h('form', { class: 'card form', 'aria-labelledby': 'setup-title' },
      h('h1', { id: 'setup-title' }, 'Create the first instructor'),
      h('p', { class: 'muted' }, 'This one-time link makes the first instructor account. Instructors then create the students.'),
      field('Username', username), field('Display name (optional)', displayName), field('Password (at least 8 characters)', password), error, submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      this.o.api.post<SessionInfo>('/api/bootstrap', {
        token, username: username.value.trim(), password: password.value, ...(displayName.value.trim() ? { displayName: displayName.value.trim() } : {}),
      }).then((s) => this.o.signedIn(s), (err: unknown) => { error.textContent = err instanceof Error ? err.message : String(err); })
        .finally(() => { submit.disabled = false; });
    });
    return form;
  }
}
