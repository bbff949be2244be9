// Client-side routes on real paths (/labs/ha-review, /instructor): the
// server answers every non-API path with the page, links inside the page
// navigate without a reload, and Back/Forward work.

export interface View {
  readonly element: HTMLElement;
  /** The page title. */
  readonly title: string;
  /** Called once the element is in the document. */
  mounted?(): void;
  /** Called when the view is left: close streams, timers, terminals. */
  dispose?(): void;
}

export interface Route {
  pattern: RegExp;
  make(params: string[], query: URLSearchParams): View | Promise<View>;
}

export class Router {
  private current: View | undefined;
  private generation = 0;

  constructor(private readonly outlet: HTMLElement, private readonly routes: Route[], private readonly fallback: () => View) {
    window.addEventListener('popstate', () => { void this.show(); });
    document.addEventListener('click', (e) => this.intercept(e));
  }

  navigate(path: string, replaceState = false): void {
    if (replaceState) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    void this.show();
  }

  private intercept(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.pathname.startsWith('/api/')) return;
    if (a.pathname === location.pathname && a.hash) return;
    e.preventDefault();
    this.navigate(a.pathname + a.search + a.hash);
  }

  /** Shows the view of the current location. */
  async show(): Promise<void> {
    const gen = ++this.generation;
    const query = new URLSearchParams(location.search);
    let view: View | undefined;
    for (const r of this.routes) {
      const m = r.pattern.exec(location.pathname);
      if (m) {
        view = await r.make(m.slice(1).map(decodeURIComponent), query);
        break;
      }
    }
    view ??= this.fallback();
    if (gen !== this.generation) {
      view.dispose?.();
      return;
    }
    this.current?.dispose?.();
    this.current = view;
    this.outlet.replaceChildren(view.element);
    document.title = `${view.title} · virtlab`;
    view.mounted?.();
    // Move focus to the new content for keyboard and screen-reader users, unless a view took it.
    if (!this.outlet.contains(document.activeElement)) {
      const heading = this.outlet.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    }
  }

  get view(): View | undefined {
    return this.current;
  }

  dispose(): void {
    this.current?.dispose?.();
    this.current = undefined;
  }
}
