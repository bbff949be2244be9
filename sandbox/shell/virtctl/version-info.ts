// Which virtctl this is, and the KubeVirt version the cluster's virt-api reports.
//
// The commands follow virtctl v1.3.1 (OpenShift Virtualization 4.17): the
// release whose `expose` copies the VM's labels into the Service selector and
// whose console prints "The escape sequence is ^]", as the course shows.

import type { RestClient } from '../kube/client.ts';

export interface VersionInfo {
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
const GO_OS: Record<string, string> = { win32: 'windows' };

export const CLIENT_VERSION: VersionInfo = {
  gitVersion: 'v1.3.1',
  gitCommit: 'ed1e7ae8548d319fa7aacf315ad198f7241287c5',
  gitTreeState: 'clean',
  buildDate: '2024-08-22T07:06:30Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: `${GO_OS[process.platform] ?? process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
};

/** Go's %#v of a version.Info. */
export function goSyntax(v: Partial<VersionInfo>): string {
  const field = (k: string, x: string | undefined): string => `${k}:${JSON.stringify(x ?? '')}`;
  return `version.Info{${[
    field('GitVersion', v.gitVersion), field('GitCommit', v.gitCommit), field('GitTreeState', v.gitTreeState),
    field('BuildDate', v.buildDate), field('GoVersion', v.goVersion), field('Compiler', v.compiler), field('Platform', v.platform),
  ].join(', ')}}`;
}

/** kubecli ServerVersion().Get(): the group's preferred version, then its /version. */
export async function serverVersion(client: RestClient): Promise<VersionInfo> {
  const group = await client.get<{ preferredVersion?: { groupVersion?: string } }>('/apis/subresources.kubevirt.io');
  const gv = group?.preferredVersion?.groupVersion ?? '';
  return client.get<VersionInfo>(`/apis/${gv}/version`);
}

function majorMinor(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * After a failed command virtctl compares its version with the cluster's and
 * warns (on stdout) when major or minor differ; a failure to ask is printed too.
 */
export async function versionWarning(client: () => RestClient): Promise<string> {
  let server: VersionInfo;
  try {
    server = await serverVersion(client());
  } catch (e) {
    return `${(e as Error).message}\n`;
  }
  const c = majorMinor(CLIENT_VERSION.gitVersion);
  const s = majorMinor(String(server?.gitVersion ?? ''));
  if (!c || !s) return '';
  if (c[0] !== s[0] || c[1] !== s[1]) {
    return `You are using a client virtctl version that is different from the KubeVirt version running in the cluster\nClient Version: ${CLIENT_VERSION.gitVersion}\nServer Version: ${server.gitVersion}\n`;
  }
  return '';
}
