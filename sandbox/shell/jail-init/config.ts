// What the jail init does before handing the terminal to the shell, written
// by the server into the session's run folder (read-only in the jail).

export interface InitConfig {
  /** TCP listeners on the jail's loopback, each forwarded to a unix socket bound in from the host. */
  forwards: { port: number; socket: string }[];
  /** The session's kubeconfig, merged into ~/.kube/config. */
  kubeconfig: string;
  /** ~/.kube/config (as the shell sees it). */
  kubeconfigTarget: string;
  /** The shell and its arguments. */
  shell: string[];
}

export function parseInitConfig(text: string, where: string): InitConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const c = doc as Partial<InitConfig>;
  const forwardsOk = Array.isArray(c.forwards) && c.forwards.every((f) => Number.isInteger(f?.port) && typeof f?.socket === 'string');
  if (!forwardsOk || typeof c.kubeconfig !== 'string' || typeof c.kubeconfigTarget !== 'string' || !Array.isArray(c.shell) || !c.shell.length) {
    throw new Error(`${where}: expected {forwards: [{port, socket}], kubeconfig, kubeconfigTarget, shell: [...]}`);
  }
  return c as InitConfig;
}
