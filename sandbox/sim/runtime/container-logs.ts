// What the simulated container runtime printed, per pod and container: the
// kubelet appends, `kubectl logs` (pods/log) reads and follows. Not API state.

export interface LogLine {
  time: number;
  text: string;
}

type Follower = (line: LogLine) => void;

interface ContainerLog {
  lines: LogLine[];
  followers: Set<Follower>;
}

const MAX_LINES = 2000;

export class ContainerLogs {
  private readonly logs = new Map<string, ContainerLog>();

  private entry(podUid: string, container: string): ContainerLog {
    const key = `${podUid}/${container}`;
    let e = this.logs.get(key);
    if (!e) {
      e = { lines: [], followers: new Set() };
      this.logs.set(key, e);
    }
    return e;
  }

  append(podUid: string, container: string, time: number, text: string): void {
    const e = this.entry(podUid, container);
    for (const t of text.split('\n')) {
      const line = { time, text: t };
      e.lines.push(line);
      for (const f of e.followers) f(line);
    }
    if (e.lines.length > MAX_LINES) e.lines.splice(0, e.lines.length - MAX_LINES);
  }

  read(podUid: string, container: string, opts: { tailLines?: number; sinceTime?: number } = {}): LogLine[] {
    let lines = this.logs.get(`${podUid}/${container}`)?.lines ?? [];
    if (opts.sinceTime !== undefined) lines = lines.filter((l) => l.time >= opts.sinceTime!);
    if (opts.tailLines !== undefined && opts.tailLines >= 0) lines = lines.slice(Math.max(0, lines.length - opts.tailLines));
    return lines;
  }

  follow(podUid: string, container: string, f: Follower): () => void {
    const e = this.entry(podUid, container);
    e.followers.add(f);
    return () => { e.followers.delete(f); };
  }

  forget(podUid: string): void {
    for (const key of [...this.logs.keys()]) if (key.startsWith(`${podUid}/`)) this.logs.delete(key);
  }
}
