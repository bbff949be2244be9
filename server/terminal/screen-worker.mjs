// Starts the screen worker: worker threads do not inherit the TypeScript
// loader, so register it here, then load screen-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./screen-worker.ts', import.meta.url).href);
