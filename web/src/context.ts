// What every view of the signed-in app is given.

import type { Api } from './api.ts';
import type { EventStream } from './events.ts';
import type { Shortcuts } from './shortcuts.ts';
import type { Theme } from './theme.ts';
import type { User } from './types.ts';

export interface AppContext {
  api: Api;
  stream: EventStream;
  theme: Theme;
  shortcuts: Shortcuts;
  user: User;
  navigate(path: string): void;
}
