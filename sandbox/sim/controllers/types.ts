// What every controller receives from the composition root (cluster.ts).

import type { Clock } from '../clock.ts';
import type { ClusterClient } from '../runtime/client.ts';
import type { EventRecorder, EventSource } from '../runtime/events.ts';
import type { ContainerLogs } from '../runtime/container-logs.ts';
import type { KindRegistry } from '../kinds/registry.ts';
import type { GuestRuntimeApi } from '../guest/types.ts';

export interface ControllerDeps {
  client: ClusterClient;
  clock: Clock;
  registry: KindRegistry;
  recorder(source: EventSource): EventRecorder;
  logs: ContainerLogs;
  /** The simulated guests inside VMI domains (virt-handler boots them, the kubelet probes them). */
  guests: GuestRuntimeApi;
}
