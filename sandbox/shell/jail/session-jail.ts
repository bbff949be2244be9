// One session's shell sandbox on the host: its home, its run folder (the
// jail's /etc, kubeconfig, settings) and the host ends of its exits (unix
// sockets to its cluster API, external proxy and the shell API). Every shell
// of the session (each terminal tab) is started from here, in the jail or, in
// the explicit development mode, without one.

import { chmodSync, chownSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HostForwarder, targetOfUrl, type ForwardTarget } from './host-forwarder.ts';
import { DEFAULT_UID_BASE, ensureHome, type Home } from './homes.ts';
import { jailArgv } from './jail.ts';
import type { JailTools } from './bubblewrap.ts';
import { hostDirs, IN_JAIL, RUN_FILES, sessionFolderName } from './layout.ts';
import { JAIL_IDS, writeSessionFiles, type RunFolder } from './session-files.ts';
import { shellVariables, type ShellEnv, type ShellMode } from './shell-env.ts';
import { systemView, type SystemView } from './system-view.ts';
import { BASHRC, INIT_SCRIPT, type ShellTools } from './tools.ts';

/** What to run on a pty for one shell. */
export interface ShellCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface SessionJailOptions {
  /** The server's data dir (homes/, run/, shell-tools/ beneath it). */
  dataDir: string;
  sessionId: string;
  env: ShellEnv;
  mode: ShellMode;
  tools: ShellTools;
  /** bwrap (and setpriv for a root server); required in jail mode. */
  jailTools?: JailTools;
  /** First host uid of sessions when the server is root (default homes.ts DEFAULT_UID_BASE). */
  uidBase?: number;
  /** Processes a session may run at once when the server is root (default 512). */
  processLimit?: number;
  system?: SystemView;
}

const NO_PROXY_YET = 'virtlab: this shell started before the cluster had an external proxy, so Route hosts and LoadBalancer IPs are not reachable from it; run `lab start <lab>` and open a new terminal tab';

export class SessionJail {
  private readonly forwarders = new Map<string, HostForwarder>();

  private constructor(
    private readonly o: SessionJailOptions,
    readonly home: Home,
    private readonly run: RunFolder,
    private readonly system: SystemView,
    private env: ShellEnv,
  ) {}

  static async open(o: SessionJailOptions): Promise<SessionJail> {
    if (o.mode === 'jail' && !o.jailTools) throw new Error('SessionJail: jail mode needs bwrap (jailTools)');
    const folder = sessionFolderName(o.sessionId);
    const dirs = hostDirs(o.dataDir);
    mkdirSync(o.dataDir, { recursive: true });
    // The jail's uid must be able to walk down to its home and run folder.
    chmodSync(o.dataDir, 0o711);
    const root = process.getuid?.() === 0;
    const home = ensureHome(dirs.homes, folder, o.mode === 'jail' && root ? o.uidBase ?? DEFAULT_UID_BASE : undefined);
    mkdirSync(dirs.run, { recursive: true, mode: 0o711 });
    chmodSync(dirs.run, 0o711);
    const runHost = join(dirs.run, folder);
    rmSync(runHost, { recursive: true, force: true });
    mkdirSync(runHost, { mode: 0o750 });
    if (home.owner) chownSync(runHost, 0, home.owner.gid);
    const run: RunFolder = { host: runHost, seen: o.mode === 'jail' ? IN_JAIL.run : runHost };
    const jail = new SessionJail(o, home, run, o.system ?? systemView(), o.env);
    try {
      jail.writeFiles();
      await jail.openExits();
    } catch (e) {
      await jail.close();
      throw e;
    }
    return jail;
  }

  get mode(): ShellMode {
    return this.o.mode;
  }

  /** The session's connections changed (a new token, a moved cluster): later shells use the new ones. */
  async update(env: ShellEnv): Promise<void> {
    this.env = env;
    this.writeFiles();
    await this.openExits();
  }

  private homeSeen(): string {
    return this.o.mode === 'jail' ? IN_JAIL.home : this.home.path;
  }

  private toolsSeen(): string {
    return this.o.mode === 'jail' ? IN_JAIL.tools : this.o.tools.dir;
  }

  private writeFiles(): void {
    writeSessionFiles({
      run: this.run,
      mode: this.o.mode,
      env: this.env,
      home: this.homeSeen(),
      shell: ['/bin/bash', '--rcfile', `${this.toolsSeen()}/${BASHRC}`, '-i'],
      owner: this.home.owner,
    });
  }

  /** Host ends of the jail's exits, opened once and pointed at the current addresses. */
  private async openExits(): Promise<void> {
    if (this.o.mode !== 'jail') return;
    const api = this.env.shellApi;
    const wanted: [string, ForwardTarget | undefined][] = [
      [RUN_FILES.apiSocket, targetOfUrl(this.env.cluster.server)],
      [RUN_FILES.proxySocket, this.env.proxy ? targetOfUrl(this.env.proxy) : { unavailable: NO_PROXY_YET }],
      [RUN_FILES.shellApiSocket, api ? (api.socket ? { path: api.socket } : targetOfUrl(api.url)) : undefined],
    ];
    for (const [name, target] of wanted) {
      if (!target) continue;
      const existing = this.forwarders.get(name);
      if (existing) existing.retarget(target);
      else this.forwarders.set(name, await HostForwarder.listen(join(this.run.host, name), target, this.home.owner));
    }
  }

  /** The command for one more shell of this session. */
  shellCommand(): ShellCommand {
    const toolsBin = `${this.toolsSeen()}/bin`;
    const env = shellVariables({
      mode: this.o.mode,
      home: this.homeSeen(),
      run: this.run.seen,
      toolsBin,
      extraPath: this.o.mode === 'jail' ? this.system.extraPath : [],
      directProxy: this.env.proxy,
    });
    const init = [`${this.toolsSeen()}/${INIT_SCRIPT}`, `${this.run.seen}/${RUN_FILES.init}`];
    if (this.o.mode === 'unsafe') {
      return { file: process.execPath, args: init, env, cwd: this.home.path };
    }
    const node = realpathSync(process.execPath);
    const nodeSeen = node.startsWith('/usr/') ? node : `${IN_JAIL.node}/${basename(node)}`;
    const jailTools = this.o.jailTools!;
    const dropTo = this.home.owner && jailTools.setpriv ? { setpriv: jailTools.setpriv, ...this.home.owner } : undefined;
    const { file, args } = jailArgv({
      bwrap: jailTools.bwrap,
      home: this.home.path,
      run: this.run.host,
      tools: this.o.tools.dir,
      system: this.system.entries,
      jailUid: JAIL_IDS.uid,
      jailGid: JAIL_IDS.gid,
      dropTo,
      processLimit: dropTo && jailTools.prlimit ? { prlimit: jailTools.prlimit, nproc: this.o.processLimit ?? 512 } : undefined,
      command: [nodeSeen, ...init],
    });
    return { file, args, env, cwd: '/' };
  }

  async close(): Promise<void> {
    await Promise.all([...this.forwarders.values()].map((f) => f.close()));
    this.forwarders.clear();
    rmSync(this.run.host, { recursive: true, force: true });
  }
}
