// oc version: this client, kustomize, the OpenShift release (from the
// ClusterVersion, when the cluster has one and lets us read it) and Kubernetes
// (the apiserver's /version).

import { stringify as stringifyYaml } from 'yaml';
import { isForbidden, isNotFound } from '../kube/errors.ts';
import { KUSTOMIZE_VERSION, OC_VERSION, type OcContext } from './command.ts';

type Json = Record<string, unknown>;

export async function run(ctx: OcContext): Promise<void> {
  const output = ctx.flag<string>('output');
  if (output && output !== 'yaml' && output !== 'json') throw new Error(`--output must be 'yaml' or 'json'`);
  const info: Json = {
    clientVersion: { major: '', minor: '', gitVersion: `v${OC_VERSION}`, gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' },
    kustomizeVersion: KUSTOMIZE_VERSION,
    releaseClientVersion: OC_VERSION,
  };
  let serverErr: unknown;
  if (!ctx.flag<boolean>('client')) {
    const client = ctx.client();
    try {
      info.serverVersion = await client.get<Json>('/version');
    } catch (e) {
      serverErr = e;
    }
    try {
      const cv = await client.get<{ status?: { history?: { state?: string; version?: string }[] } }>('/apis/config.openshift.io/v1/clusterversions/version');
      const done = (cv.status?.history ?? []).find((h) => h.state === 'Completed');
      if (done?.version) info.openshiftVersion = done.version;
    } catch (e) {
      if (!isNotFound(e) && !isForbidden(e)) serverErr = e;
    }
  }
  if (output === 'json') ctx.io.out(`${JSON.stringify(info, null, 2)}\n`);
  else if (output === 'yaml') ctx.io.out(`${stringifyYaml(info)}\n`);
  else {
    ctx.io.out(`Client Version: ${OC_VERSION}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`);
    if (info.openshiftVersion) ctx.io.out(`Server Version: ${String(info.openshiftVersion)}\n`);
    if (info.serverVersion) ctx.io.out(`Kubernetes Version: ${String((info.serverVersion as Json).gitVersion ?? '')}\n`);
  }
  if (serverErr) throw serverErr;
}
