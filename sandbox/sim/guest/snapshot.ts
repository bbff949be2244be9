// What survives a restart of the process that simulates a guest: plain data
// (JSON-safe) from which the runtime rebuilds the domain without rebooting it.
// Guest-side timers (a boot in progress, a watchdog countdown) are not data:
// restoring re-derives them from the state (a booting guest boots again, a
// starving watchdog counts down from its full timeout).

import type { ShutoffReason } from './types.ts';
import type { GuestSpec } from './vmi.ts';

export interface UnitSnapshot {
  name: string;
  enabled: boolean;
  state: 'inactive' | 'active' | 'failed';
  since?: number;
  pid?: number;
  ended?: { how: 'exited' | 'killed'; status: string; result: 'success' | 'exit-code' | 'signal' };
  ports: number[];
  feeds?: { timeoutSeconds: number };
  journal: { at: number; host: string; ident: string; text: string }[];
  restarts: number;
}

export interface ServicesSnapshot {
  units: UnitSnapshot[];
  nextPid: number;
}

export interface FilesSnapshot {
  files: Record<string, string>;
  dirs: string[];
}

export interface GuestSnapshot {
  spec: GuestSpec;
  ip: string;
  node?: string;
  hostname: string;
  power: 'on' | 'off';
  kernel: 'booting' | 'up' | 'stopping' | 'hung';
  paused: boolean;
  shutoffReason?: ShutoffReason;
  bootStartedAt: number;
  bootedAt?: number;
  bootCount: number;
  cloudInitDone: boolean;
  /** Packages installed beyond the image's. */
  packages: string[];
  fs: FilesSnapshot;
  services: ServicesSnapshot;
  watchdog?: { armed: boolean; timeoutSeconds: number };
}
