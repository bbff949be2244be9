// Ready-made check bodies for what most labs assert: a VM runs, a Service has
// enough ready backends, the running VMI carries what the VM template says.
// Each returns an Outcome whose failure message names the object and the cause.

import { fail, pass } from './define.ts';
import type { Probe, VirtualMachineInstance } from './kinds.ts';
import type { ClusterConnection, Outcome } from './types.ts';
import { describeEndpoints, describeProbe, describeVmRunning, fieldMismatches, includedIn, isVmRunning, notReadyReason, templateVsInstance, type SpecPath } from './describe.ts';
import { readinessFacts, vmiNotReadyPhrase } from './explain.ts';
import { getVm, getVmi, listVmis, listVms } from './queries/kubevirt.ts';
import { getService, readyEndpointsByBackend, serviceEndpoints } from './queries/network.ts';
import { andList } from './words.ts';

/** The VM exists and its VMI is Running (and, unless `ready: false`, Ready). */
export async function expectVmRunning(conn: ClusterConnection, namespace: string, name: string, opts: { ready?: boolean } = {}): Promise<Outcome> {
  const ready = opts.ready ?? true;
  const vm = await getVm(conn, namespace, name);
  if (!vm) return fail(`VM ${namespace}/${name} does not exist`);
  const vmi = await getVmi(conn, namespace, name);
  const facts = vmi && notReadyReason(vmi) !== undefined ? await readinessFacts(conn, vmi) : {};
  const summary = describeVmRunning(vm, vmi, facts);
  return isVmRunning(vm, vmi, { ready }) ? pass(summary) : fail(summary);
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * The Service has at least `expected` ready endpoints (exactly, with
 * `exactly: true`). On failure the message explains each missing backend:
 * the VMI that is not Ready and why, the VM that is stopped, or a selector
 * that matches nothing.
 */
export async function expectReadyEndpoints(
  conn: ClusterConnection, namespace: string, service: string, expected: number, opts: { exactly?: boolean } = {},
): Promise<Outcome> {
  const svc = await getService(conn, namespace, service);
  if (!svc) return fail(`Service ${namespace}/${service} does not exist`);
  const endpoints = await serviceEndpoints(conn, namespace, service);
  const ready = endpoints.filter((e) => e.ready);
  const ok = opts.exactly ? ready.length === expected : ready.length >= expected;
  if (ok) {
    const names = ready.map((e) => (e.vmiName ? `VMI ${e.vmiName}` : e.address));
    return pass(`Service ${namespace}/${service} has ${ready.length} ready endpoint${ready.length === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}`);
  }
  if (opts.exactly && ready.length > expected) {
    return fail(`Service ${namespace}/${service} has ${ready.length} ready endpoints, expected exactly ${expected}: ${ready.map((e) => e.vmiName ?? e.address).join(', ')}`);
  }
  const problems: string[] = [];
  const selector = svc.spec?.selector;
  const readyVmis = new Set(ready.map((e) => e.vmiName).filter((n): n is string => n !== undefined));
  if (!selector || Object.keys(selector).length === 0) {
    problems.push('it has no selector, so nothing keeps its endpoints up to date');
  } else {
    const shown = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    const vmis = (await listVmis(conn, namespace)).filter((v) => selects(selector, v.metadata.labels));
    const vmisByName = new Map<string, VirtualMachineInstance>(vmis.map((v) => [v.metadata.name, v]));
    for (const vmi of vmis) {
      if (readyVmis.has(vmi.metadata.name)) continue;
      const phrase = await vmiNotReadyPhrase(conn, vmi);
      problems.push(phrase ?? `VMI ${vmi.metadata.name} is Ready but has no ready endpoint yet`);
    }
    const vms = (await listVms(conn, namespace)).filter((vm) => selects(selector, vm.spec?.template?.metadata?.labels));
    for (const vm of vms) {
      if (vmisByName.has(vm.metadata.name)) continue;
      problems.push(describeVmRunning(vm, undefined));
    }
    if (vmis.length === 0 && vms.length === 0) {
      problems.push(`no VM in ${namespace} has template labels matching its selector ${shown} (a Service selects the virt-launcher pods, which carry the labels of spec.template.metadata.labels)`);
    }
  }
  return fail(describeEndpoints({ namespace, service, endpoints, expected, problems }));
}

/**
 * Each VMI of `vmis` is a ready endpoint of the Service (others may be too).
 * When one is not, the failure explains it as expectReadyEndpoints does (the
 * VMI not Ready and why, the VM stopped, a selector matching nothing), or
 * else names the VMIs without a ready endpoint.
 */
export async function expectReadyBackends(conn: ClusterConnection, namespace: string, service: string, vmis: readonly string[]): Promise<Outcome> {
  const ready = await readyEndpointsByBackend(conn, namespace, service);
  const missing = vmis.filter((v) => !ready.has(v));
  if (missing.length === 0) return pass(`Service ${namespace}/${service} has ready endpoint${vmis.length === 1 ? '' : 's'} ${andList(vmis)}`);
  const explained = await expectReadyEndpoints(conn, namespace, service, vmis.length);
  return explained.pass ? fail(`Service ${namespace}/${service} has no ready endpoint for ${andList(missing)}`) : explained;
}

/** The running VMI has what the VM template sets at `path` (e.g. "readinessProbe", "domain.devices.watchdog"). */
export async function expectTemplateApplied(conn: ClusterConnection, namespace: string, vmName: string, path: SpecPath): Promise<Outcome> {
  const vm = await getVm(conn, namespace, vmName);
  if (!vm) return fail(`VM ${namespace}/${vmName} does not exist`);
  const vmi = await getVmi(conn, namespace, vmName);
  if (!vmi) return fail(`${describeVmRunning(vm, undefined)}: start it so that a VMI runs with its template`);
  const diff = templateVsInstance(vm, vmi, path);
  return diff ? fail(`VM ${namespace}/${vmName}: ${diff}`) : pass();
}

/**
 * The VM template has the probe (matching `want`, when given) and the running
 * VMI runs it: a probe added to the template does nothing until the VMI restarts.
 */
export async function expectVmiProbe(
  conn: ClusterConnection, namespace: string, vmName: string, kind: 'readinessProbe' | 'livenessProbe', want?: Partial<Probe>,
): Promise<Outcome> {
  const vm = await getVm(conn, namespace, vmName);
  if (!vm) return fail(`VM ${namespace}/${vmName} does not exist`);
  const probe = vm.spec?.template?.spec?.[kind];
  if (!probe) return fail(`VM ${namespace}/${vmName} has no ${kind} in spec.template.spec`);
  if (want && !includedIn(want, probe)) {
    const wrong = fieldMismatches(want, probe, kind);
    return fail(`VM ${namespace}/${vmName} has ${kind} ${describeProbe(probe)} in spec.template.spec: ${wrong.join(', ')}`);
  }
  const vmi = await getVmi(conn, namespace, vmName);
  if (!vmi || vmi.status?.phase === 'Failed' || vmi.status?.phase === 'Succeeded') {
    return fail(`${describeVmRunning(vm, vmi)}: the ${kind} only runs in a running VMI`);
  }
  const diff = templateVsInstance(vm, vmi, kind);
  if (diff) return fail(`VM ${namespace}/${vmName}: ${diff}`);
  return pass(`VMI ${vmi.metadata.name} runs ${kind} ${describeProbe(vmi.spec?.[kind])}`);
}
