// Light and dark themes: the system's preference (prefers-color-scheme)
// until the user picks one with the toggle; the pick is remembered. Views
// that draw with their own colours (the terminal) subscribe to changes.

export type ThemeName = 'light' | 'dark';
type Choice = ThemeName | 'system';

const KEY = 'virtlab.theme';

export class Theme {
  private readonly media = window.matchMedia('(prefers-color-scheme: dark)');
  private readonly listeners = new Set<(t: ThemeName) => void>();
  private choice: Choice;

  constructor() {
    const saved = localStorage.getItem(KEY);
    this.choice = saved === 'light' || saved === 'dark' ? saved : 'system';
    this.media.addEventListener('change', () => { if (this.choice === 'system') this.apply(); });
    this.apply();
  }

  get current(): ThemeName {
    return this.choice === 'system' ? (this.media.matches ? 'dark' : 'light') : this.choice;
  }

  /** Switches to the other theme and remembers it. */
  toggle(): void {
    this.choice = this.current === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, this.choice);
    this.apply();
  }

  onChange(fn: (t: ThemeName) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  private apply(): void {
    const t = this.current;
    document.documentElement.dataset.theme = t;
    document.documentElement.style.colorScheme = t;
    for (const fn of this.listeners) fn(t);
  }
}
