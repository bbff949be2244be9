// The app shell: who is signed in, the header (navigation, theme toggle,
// sign-out), the event stream, and the views behind each path.

import { Api } from './api.ts';
import type { AppContext } from './context.ts';
import { h, replace } from './dom.ts';
import { EventStream } from './events.ts';
import { Router, type View } from './router.ts';
import { Shortcuts } from './shortcuts.ts';
import { Theme } from './theme.ts';
import type { SessionInfo, User } from './types.ts';
import { InstructorView } from './views/instructor.ts';
import { LabListView } from './views/lab-list.ts';
import { LabPageView } from './views/lab-page.ts';
import { SignInView } from './views/sign-in.ts';
import { StudentView } from './views/student.ts';

function message(title: string, text: string): View {
  return { title, element: h('div', { class: 'message' }, h('h1', {}, title), h('p', {}, text), h('p', {}, h('a', { href: '/' }, 'Back to the labs'))) };
}

export class App {
  private readonly api = new Api();
  private readonly theme = new Theme();
  private readonly shortcuts = new Shortcuts();
  private stream: EventStream | undefined;
  private router: Router | undefined;
  private readonly header = h('header', { class: 'app-header' });
  private readonly main = h('main', { id: 'main', class: 'app-main' });
  private stopThemeButton: (() => void) | undefined;

  constructor(private readonly root: HTMLElement) {
    replace(root, h('a', { class: 'skip-link', href: '#main' }, 'Skip to the content'), this.header, this.main);
    this.api.onUnauthorized = () => { void this.start(); };
  }

  async start(): Promise<void> {
    let session: SessionInfo;
    try {
      session = await this.api.get<SessionInfo>('/api/session');
    } catch (e) {
      replace(this.main, h('p', { class: 'error', role: 'alert' }, `The server cannot be reached: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    if (session.user) this.signedIn(session);
    else this.signIn(session);
  }

  private teardown(): void {
    this.router?.dispose();
    this.router = undefined;
    this.stream?.close();
    this.stream = undefined;
  }

  private signIn(session: SessionInfo): void {
    this.teardown();
    this.api.setCsrf(undefined);
    this.renderHeader(undefined);
    const setupToken = location.pathname === '/setup' ? new URLSearchParams(location.search).get('token') ?? undefined : undefined;
    const view = new SignInView({
      api: this.api,
      bootstrapPending: session.bootstrapPending === true,
      ...(setupToken ? { setupToken } : {}),
      signedIn: (s) => {
        if (location.pathname === '/setup') history.replaceState(null, '', '/');
        this.signedIn(s);
      },
    });
    document.title = `${view.title} · virtlab`;
    replace(this.main, view.element);
    view.mounted();
  }

  private signedIn(session: SessionInfo): void {
    const user = session.user!;
    this.teardown();
    this.api.setCsrf(session.csrfToken);
    this.stream = new EventStream();
    this.stream.open();
    this.renderHeader(user);
    const ctx: AppContext = {
      api: this.api, stream: this.stream, theme: this.theme, shortcuts: this.shortcuts, user,
      navigate: (path) => this.router?.navigate(path),
    };
    const instructorOnly = (make: () => View): View => (user.role === 'instructor' ? make() : message('Instructors only', `This page is for instructors; ${user.username} is a student.`));
    this.router = new Router(this.main, [
      { pattern: /^\/$/, make: () => new LabListView(ctx) },
      { pattern: /^\/labs\/([a-z0-9-]+)\/?$/, make: ([id]) => new LabPageView(ctx, id) },
      { pattern: /^\/instructor\/?$/, make: (_p, q) => instructorOnly(() => new InstructorView(ctx, q)) },
      { pattern: /^\/instructor\/students\/(\d+)\/?$/, make: ([id], q) => instructorOnly(() => new StudentView(ctx, id, q)) },
      { pattern: /^\/setup\/?$/, make: () => { history.replaceState(null, '', '/'); return new LabListView(ctx); } },
    ], () => message('Not found', `There is no page at ${location.pathname}.`));
    void this.router.show();
  }

  private renderHeader(user: User | undefined): void {
    const themeButton = h('button', {
      type: 'button', class: 'icon-button theme-toggle', title: 'Switch between light and dark (Alt+Shift+D)',
      'aria-label': 'Switch between light and dark theme', onclick: () => this.theme.toggle(),
    }, this.theme.current === 'dark' ? '☀' : '☾');
    this.stopThemeButton?.();
    this.stopThemeButton = this.theme.onChange((t) => { themeButton.textContent = t === 'dark' ? '☀' : '☾'; });
    this.shortcuts.set('theme', [{ keys: 'Alt+Shift+D', description: 'Switch between light and dark', run: () => this.theme.toggle() }]);
    replace(this.header,
      h('a', { class: 'brand', href: '/' }, 'virtlab'),
      user ? h('nav', { class: 'app-nav', 'aria-label': 'Main' },
        h('a', { href: '/' }, 'Labs'),
        user.role === 'instructor' ? h('a', { href: '/instructor' }, 'Class progress') : null) : null,
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'icon-button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts', onclick: () => this.shortcuts.showHelp() }, '⌨'),
      themeButton,
      user ? [
        h('span', { class: 'user-name', title: `${user.username} (${user.role})` }, user.displayName || user.username),
        h('button', { type: 'button', class: 'button subtle', onclick: () => { void this.signOut(); } }, 'Sign out'),
      ] : null);
  }

  private async signOut(): Promise<void> {
    try {
      await this.api.post('/api/logout');
    } catch {
      // Already signed out (an expired session): show the sign-in page anyway.
    }
    history.replaceState(null, '', '/');
    this.signIn({ user: null });
  }
}
