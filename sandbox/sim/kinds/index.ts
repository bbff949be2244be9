// Every kind the embedded cluster serves.

import type { KindDef } from './types.ts';
import { coreKinds } from './core/index.ts';
import { customKinds } from './custom-index.ts';

export { definitions } from './meta.ts';

export const allKinds: KindDef[] = [...coreKinds, ...customKinds];
