// virt-api's subresources.kubevirt.io endpoints (pkg/virt-api/rest/lifecycle.go,
// reference §1.5): PUT .../virtualmachines/{name}/{start,stop,restart,migrate}
// answer 202 with an empty body, PUT .../virtualmachineinstances/{name}/{pause,unpause}
// answer 200. They act only through API objects: spec patches, JSON patches of
// stateChangeRequests against the VM /status subresource, a migration object, and
// for pause/unpause the VMI Paused condition (see pauseVmi).
// GET .../v1/version answers virt-api's version.Info (what `virtctl version` shows).
// The console WebSocket is served elsewhere.

import { ApiError, Errors } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { isPlainObject } from '../object.ts';
import { rfc3339 } from '../age.ts';
import type { KindDef } from '../../kinds/types.ts';
import type { WriteOptions } from '../rest-storage.ts';
import type { HandlerContext } from './special.ts';
import { readBody, parseJson, parseYaml, mediaType } from './body.ts';
import { jsonClone } from '../json-clone.ts';

export const SUBRESOURCES_GROUP = 'subresources.kubevirt.io';
/** Who virt-api acts as when it writes (OpenShift Virtualization's names). */
export const VIRT_API_USER = 'system:serviceaccount:openshift-cnv:kubevirt-apiserver';
/** The pause/unpause calls stand in for virt-handler's answer, so they write as virt-handler. */
export const VIRT_HANDLER_USER = 'system:serviceaccount:openshift-cnv:kubevirt-handler';

export const Message = {
  vmNotRunning: 'VM is not running',
  vmiNotRunning: 'VMI is not running',
  vmiNotPaused: 'VMI is not paused',
  vmiAlreadyPaused: 'VMI is already paused',
  alreadyRunning: 'VM is already running',
  snapshotInProgress: 'VM snapshot is in progress',
  underway: 'unable to complete request: stop/start already underway',
  rerunFromFailed: 'RerunOnFailure does not support starting VM from failed state',
  forceRestartOnlyZero: 'For force restart, only gracePeriod=0 is supported for now',
  negativeGrace: 'gracePeriod has to be greater or equal to 0',
  haltedStop: 'Halted only supports manual stop requests with a shorter graceperiod',
  pauseLiveness: 'Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported',
  pausedByUser: 'VMI was paused by user',
} as const;

export const PAUSED_BY_USER = 'PausedByUser';

type Json = Record<string, unknown>;
type Handler = () => Promise<void>;

interface StateChangeRequest {
  action: 'Start' | 'Stop';
  uid?: string;
  data?: Record<string, string>;
}

/**
 * The KubeVirt release virt-api reports: the same minor as the lab shell's
 * virtctl (v1.3), so virtctl has no version mismatch to warn about.
 */
export const KUBEVIRT_VERSION = {
  gitVersion: 'v1.3.1',
  gitCommit: 'ed1e7ae8548d319fa7aacf315ad198f7241287c5',
  gitTreeState: 'clean',
  buildDate: '2024-08-22T07:06:30Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

// ---- routing -----------------------------------------------------------------

/** Paths of the group that are not subresources of an object: GET /apis/subresources.kubevirt.io/v1/version. */
export function kubevirtGroupHandler(ctx: HandlerContext): Handler | undefined {
  const { info } = ctx;
  if (info.group !== SUBRESOURCES_GROUP || info.version !== 'v1') return undefined;
  if (info.namespace !== undefined || info.name !== undefined || info.resource !== 'version' || info.verb !== 'list') return undefined;
  return async () => {
    const body = JSON.stringify(KUBEVIRT_VERSION);
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    ctx.res.end(body);
  };
}

export function kubevirtSubresourceHandler(ctx: HandlerContext): Handler | undefined {
  const { info } = ctx;
  if (info.group !== SUBRESOURCES_GROUP || (info.version !== 'v1' && info.version !== 'v1alpha3')) return undefined;
  if (!info.namespace || !info.name || info.verb !== 'update' || info.subpath.length) return undefined;
  if (info.resource === 'virtualmachines') {
    switch (info.subresource) {
      case 'start': return () => startVm(ctx);
      case 'stop': return () => stopVm(ctx);
      case 'restart': return () => restartVm(ctx);
      case 'migrate': return () => migrateVm(ctx);
      default: return undefined;
    }
  }
  if (info.resource === 'virtualmachineinstances') {
    switch (info.subresource) {
      case 'pause': return () => pauseVmi(ctx);
      case 'unpause': return () => unpauseVmi(ctx);
      default: return undefined;
    }
  }
  return undefined;
}

// ---- errors, as virt-api builds them with apimachinery helpers ----------------------

const VM_RESOURCE = 'virtualmachine';
const VMI_RESOURCE = 'virtualmachineinstance';

function conflict(resource: string, name: string, text: string): ApiError {
  return Errors.conflict(resource, 'kubevirt.io', name, text);
}

function internal(text: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text }] });
}

function forbidden(resource: string, name: string, text: string): ApiError {
  return new ApiError(403, 'Forbidden', `${resource}.kubevirt.io "${name}" is forbidden: ${text}`, { name, group: 'kubevirt.io', kind: resource });
}

/** A failed JSON patch `test` means someone else changed the object first: 409; anything else: 500. */
function patchFailure(name: string, e: unknown): ApiError {
  const text = e instanceof Error ? e.message : String(e);
  if (e instanceof ApiError && e.code === 422 && /^testing value .* failed/.test(text)) return conflict(VM_RESOURCE, name, text);
  if (e instanceof ApiError && e.code === 409) return conflict(VM_RESOURCE, name, text);
  return internal(text);
}

// ---- helpers ---------------------------------------------------------------------

/** Decodes the options body (JSON or YAML); an empty body is no options. */
function decodeOptions(ctx: HandlerContext, buf: Buffer): Json {
  if (!buf.length) return {};
  let body: unknown;
  try {
    const mt = mediaType(ctx.req.headers['content-type']);
    body = mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml' ? parseYaml(buf) : parseJson(buf);
  } catch (e) {
    throw Errors.badRequest(`Can not unmarshal Request body to struct, error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (body === null || body === undefined) return {};
  if (!isPlainObject(body)) throw Errors.badRequest('Can not unmarshal Request body to struct, error: the request body must be an object');
  return body;
}

function isDryRun(ctx: HandlerContext, body: Json): boolean {
  const fromBody = Array.isArray(body.dryRun) && body.dryRun.includes('All');
  const fromQuery = ctx.url.searchParams.getAll('dryRun').flatMap((v) => v.split(',')).includes('All');
  return fromBody || fromQuery;
}

function kindOf(ctx: HandlerContext, plural: string): KindDef {
  const k = ctx.storage.registry.resource('kubevirt.io', 'v1', plural);
  if (!k) throw internal(`kind for ${plural}.kubevirt.io is not registered`);
  return k;
}

function writeOptions(user: string, manager: string, dryRun: boolean, subresource = ''): WriteOptions {
  return { user, fieldManager: manager, fieldValidation: 'Ignore', dryRun, subresource };
}

function virtApi(dryRun: boolean, subresource = ''): WriteOptions {
  return writeOptions(VIRT_API_USER, 'virt-api', dryRun, subresource);
}

function fetchVm(ctx: HandlerContext): KubeObject {
  const vm = ctx.storage.get(kindOf(ctx, 'virtualmachines'), ctx.info.namespace, ctx.info.name!);
  if (!vm) throw Errors.notFound(VM_RESOURCE, 'kubevirt.io', ctx.info.name!);
  return vm;
}

function getVmi(ctx: HandlerContext): KubeObject | undefined {
  return ctx.storage.get(kindOf(ctx, 'virtualmachineinstances'), ctx.info.namespace, ctx.info.name!);
}

function fetchVmi(ctx: HandlerContext): KubeObject {
  const vmi = getVmi(ctx);
  if (!vmi) throw Errors.notFound(VMI_RESOURCE, 'kubevirt.io', ctx.info.name!);
  return vmi;
}

function phaseOf(vmi: KubeObject): string {
  return String((vmi.status as Json | undefined)?.phase ?? '');
}

function isFinal(vmi: KubeObject): boolean {
  const p = phaseOf(vmi);
  return p === 'Succeeded' || p === 'Failed';
}

function conditionsOf(vmi: KubeObject): Json[] {
  const c = (vmi.status as Json | undefined)?.conditions;
  return Array.isArray(c) ? c.filter(isPlainObject) : [];
}

function hasCondition(vmi: KubeObject, type: string): boolean {
  return conditionsOf(vmi).some((c) => c.type === type);
}

function vmStatus(vm: KubeObject): Json {
  return isPlainObject(vm.status) ? vm.status : {};
}

/** The run strategy in effect, or a 500 when spec.running and spec.runStrategy are both set. */
function runStrategyOf(vm: KubeObject): string {
  const spec = (vm.spec ?? {}) as Json;
  const hasRunning = spec.running !== undefined && spec.running !== null;
  const hasStrategy = spec.runStrategy !== undefined && spec.runStrategy !== null;
  if (hasRunning && hasStrategy) throw internal('running and runstrategy are mutually exclusive');
  if (hasRunning) return spec.running === true ? 'Always' : 'Halted';
  return hasStrategy ? String(spec.runStrategy) : 'Halted';
}

function accepted(ctx: HandlerContext): void {
  ctx.res.writeHead(202, { 'Content-Length': '0' });
  ctx.res.end();
}

function ok(ctx: HandlerContext): void {
  ctx.res.writeHead(200, { 'Content-Length': '0' });
  ctx.res.end();
}

// ---- JSON patches, as virt-api sends them ------------------------------------------

/**
 * The stateChangeRequests patch (getChangeRequestJson): a VM with no status at all
 * gets `add /status`; otherwise `test` the current list, then `add` it when empty
 * or `replace` it with a single Stop. startFailure is removed in the same patch,
 * so a manual start skips the remaining backoff.
 */
export function stateChangePatch(vm: KubeObject, changes: StateChangeRequest[]): Json[] {
  const status = vmStatus(vm);
  const current = Array.isArray(status.stateChangeRequests) ? status.stateChangeRequests : [];
  const ops: Json[] = [];
  if (!Object.keys(status).length) {
    ops.push({ op: 'add', path: '/status', value: { stateChangeRequests: changes } });
  } else {
    ops.push({ op: 'test', path: '/status/stateChangeRequests', value: status.stateChangeRequests ?? null });
    if (current.length === 0) ops.push({ op: 'add', path: '/status/stateChangeRequests', value: changes });
    else if (changes.length === 1 && changes[0].action === 'Stop') ops.push({ op: 'replace', path: '/status/stateChangeRequests', value: changes });
    else throw internal(Message.underway);
  }
  if (status.startFailure !== undefined) ops.push({ op: 'remove', path: '/status/startFailure' });
  return ops;
}

/** getRunningPatch: flip spec.runStrategy (Always/Halted) or spec.running, guarded by a test of the old value. */
export function runningPatch(vm: KubeObject, running: boolean): Json[] {
  const spec = (vm.spec ?? {}) as Json;
  if (spec.runStrategy !== undefined && spec.runStrategy !== null) {
    return [{ op: 'test', path: '/spec/runStrategy', value: spec.runStrategy }, { op: 'replace', path: '/spec/runStrategy', value: running ? 'Always' : 'Halted' }];
  }
  return [{ op: 'test', path: '/spec/running', value: spec.running ?? null }, { op: 'replace', path: '/spec/running', value: running }];
}

/**
 * The apiserver's JSON patch library (evanphx/json-patch v4) lets `test` with a
 * null value pass on a member that does not exist, and `replace` create a
 * missing member of an existing object. The embedded JSON patch is stricter, so
 * those two operations are rewritten to their equivalent before sending.
 */
function lenient(doc: unknown, ops: Json[]): Json[] {
  const out: Json[] = [];
  for (const op of ops) {
    const path = typeof op.path === 'string' ? op.path : '';
    if (op.op === 'test' && op.value === null && !pointerExists(doc, path)) continue;
    if (op.op === 'replace' && !pointerExists(doc, path) && pointerExists(doc, parentPointer(path))) {
      out.push({ ...op, op: 'add' });
      continue;
    }
    out.push(op);
  }
  return out;
}

function parentPointer(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

function pointerExists(doc: unknown, path: string): boolean {
  if (path === '') return true;
  let cur: unknown = doc;
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) return false;
      cur = cur[i];
    } else if (isPlainObject(cur) && Object.hasOwn(cur, key)) {
      cur = cur[key];
    } else {
      return false;
    }
  }
  return true;
}

async function patchVmStatus(ctx: HandlerContext, vm: KubeObject, changes: StateChangeRequest[], dryRun: boolean): Promise<void> {
  const ops = stateChangePatch(vm, changes);
  try {
    await ctx.storage.patch(kindOf(ctx, 'virtualmachines'), vm.metadata.namespace, vm.metadata.name!, 'json', lenient(vm, ops), virtApi(dryRun, 'status'));
  } catch (e) {
    throw patchFailure(vm.metadata.name!, e);
  }
}

async function patchVmRunning(ctx: HandlerContext, vm: KubeObject, running: boolean, dryRun: boolean): Promise<void> {
  try {
    await ctx.storage.patch(kindOf(ctx, 'virtualmachines'), vm.metadata.namespace, vm.metadata.name!, 'json', lenient(vm, runningPatch(vm, running)), virtApi(dryRun));
  } catch (e) {
    throw patchFailure(vm.metadata.name!, e);
  }
}

/** Sets the VMI's spec.terminationGracePeriodSeconds (test + replace); returns the old value (0 when unset). */
async function patchVmiGracePeriod(ctx: HandlerContext, vmi: KubeObject, seconds: number, dryRun: boolean): Promise<number> {
  const spec = (vmi.spec ?? {}) as Json;
  const old = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined;
  const ops: Json[] = [
    { op: 'test', path: '/spec/terminationGracePeriodSeconds', value: old ?? null },
    { op: 'replace', path: '/spec/terminationGracePeriodSeconds', value: seconds },
  ];
  try {
    await ctx.storage.patch(kindOf(ctx, 'virtualmachineinstances'), vmi.metadata.namespace, vmi.metadata.name!, 'json', lenient(vmi, ops), virtApi(dryRun));
  } catch (e) {
    throw internal(e instanceof Error ? e.message : String(e));
  }
  return old ?? 0;
}

// ---- VM start / stop / restart / migrate ---------------------------------------------

async function startVm(ctx: HandlerContext): Promise<void> {
  const raw = await readBody(ctx.req);
  const vm = fetchVm(ctx);
  const vmi = getVmi(ctx);
  if (vmi && !isFinal(vmi) && phaseOf(vmi) !== 'Unknown' && phaseOf(vmi) !== '') throw conflict(VM_RESOURCE, vm.metadata.name!, Message.alreadyRunning);
  const body = decodeOptions(ctx, raw);
  const dryRun = isDryRun(ctx, body);
  const paused = body.paused === true;
  const data = paused ? { data: { paused: 'true' } } : {};
  const strategy = runStrategyOf(vm);
  switch (strategy) {
    case 'Halted':
      // A paused start goes through the controller, which flips the strategy itself.
      if (paused) await patchVmStatus(ctx, vm, [{ action: 'Start', ...data }], dryRun);
      else await patchVmRunning(ctx, vm, true, dryRun);
      break;
    case 'RerunOnFailure':
    case 'Manual': {
      let restart = false;
      if (strategy === 'RerunOnFailure' && vmi && phaseOf(vmi) === 'Succeeded') restart = true;
      else if (strategy === 'Manual' && vmi && isFinal(vmi)) restart = true;
      else if (strategy === 'RerunOnFailure' && vmi && phaseOf(vmi) === 'Failed') throw conflict(VM_RESOURCE, vm.metadata.name!, Message.rerunFromFailed);
      const changes: StateChangeRequest[] = restart
        ? [{ action: 'Stop', uid: vmi!.metadata.uid }, { action: 'Start', ...data }]
        : [{ action: 'Start', ...data }];
      await patchVmStatus(ctx, vm, changes, dryRun);
      break;
    }
    case 'Always':
    case 'Once':
      throw conflict(VM_RESOURCE, vm.metadata.name!, `${strategy} does not support manual start requests`);
    default:
      break;
  }
  accepted(ctx);
}

async function stopVm(ctx: HandlerContext): Promise<void> {
  const body = decodeOptions(ctx, await readBody(ctx.req));
  const dryRun = isDryRun(ctx, body);
  const vm = fetchVm(ctx);
  const strategy = runStrategyOf(vm);
  const vmi = getVmi(ctx);
  const grace = typeof body.gracePeriod === 'number' ? body.gracePeriod : undefined;
  let oldGrace = 0;
  if (vmi && !isFinal(vmi) && grace !== undefined) oldGrace = await patchVmiGracePeriod(ctx, vmi, grace, dryRun);
  const name = vm.metadata.name!;
  switch (strategy) {
    case 'Halted': {
      if (!vmi || isFinal(vmi)) throw conflict(VM_RESOURCE, name, Message.vmNotRunning);
      const vmiGrace = (vmi.spec as Json | undefined)?.terminationGracePeriodSeconds;
      if (grace === undefined || (typeof vmiGrace === 'number' && grace >= oldGrace)) throw conflict(VM_RESOURCE, name, Message.haltedStop);
      await patchVmStatus(ctx, vm, [{ action: 'Stop', uid: vmi.metadata.uid }], dryRun);
      break;
    }
    case 'RerunOnFailure':
    case 'Manual':
      if (!vmi || isFinal(vmi)) throw conflict(VM_RESOURCE, name, Message.vmNotRunning);
      await patchVmStatus(ctx, vm, [{ action: 'Stop', uid: vmi.metadata.uid }], dryRun);
      break;
    case 'Always':
    case 'Once':
      await patchVmRunning(ctx, vm, false, dryRun);
      break;
    default:
      break;
  }
  accepted(ctx);
}

async function restartVm(ctx: HandlerContext): Promise<void> {
  const body = decodeOptions(ctx, await readBody(ctx.req));
  const dryRun = isDryRun(ctx, body);
  const grace = typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined;
  if (grace !== undefined && grace > 0) throw Errors.badRequest(Message.forceRestartOnlyZero);
  if (grace !== undefined && grace < 0) throw Errors.badRequest(Message.negativeGrace);
  const vm = fetchVm(ctx);
  const name = vm.metadata.name!;
  const strategy = runStrategyOf(vm);
  if (strategy === 'Halted' || strategy === 'Once') throw conflict(VM_RESOURCE, name, `RunStategy ${strategy} does not support manual restart requests`);
  const vmi = getVmi(ctx);
  if (!vmi) throw conflict(VM_RESOURCE, name, 'VM is not running: Halted');
  const force = grace === 0;
  let oldGrace = 0;
  let current = vmi;
  if (force) {
    oldGrace = await patchVmiGracePeriod(ctx, vmi, 1, dryRun);
    current = { ...vmi, spec: { ...(vmi.spec as Json), terminationGracePeriodSeconds: 1 } };
  }
  try {
    await patchVmStatus(ctx, vm, [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start' }], dryRun);
  } catch (e) {
    // Put the grace period back if the restart could not be queued.
    if (force) await patchVmiGracePeriod(ctx, current, oldGrace, dryRun).catch(() => undefined);
    throw e;
  }
  accepted(ctx);
}

async function migrateVm(ctx: HandlerContext): Promise<void> {
  const body = decodeOptions(ctx, await readBody(ctx.req));
  const dryRun = isDryRun(ctx, body);
  const vm = fetchVm(ctx);
  const vmi = fetchVmi(ctx);
  if (phaseOf(vmi) !== 'Running') throw conflict(VM_RESOURCE, vm.metadata.name!, Message.vmNotRunning);
  const spec: Json = { vmiName: ctx.info.name };
  if (isPlainObject(body.addedNodeSelector)) spec.addedNodeSelector = body.addedNodeSelector;
  const migration: KubeObject = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: { generateName: 'kubevirt-migrate-vm-', namespace: ctx.info.namespace },
    spec,
  };
  const kind = ctx.storage.registry.resource('kubevirt.io', 'v1', 'virtualmachineinstancemigrations');
  if (!kind) throw internal('kind for virtualmachineinstancemigrations.kubevirt.io is not registered');
  try {
    await ctx.storage.create(kind, ctx.info.namespace, migration, virtApi(dryRun));
  } catch (e) {
    throw internal(e instanceof Error ? e.message : String(e));
  }
  accepted(ctx);
}

// ---- VMI pause / unpause ----------------------------------------------------------------
//
// virt-api forwards these to virt-handler on the VMI's node, which pauses the
// domain and then reports the Paused condition. In the simulator the call
// writes the condition itself, as virt-handler would report it, and that
// condition is the request: virt-handler pauses the guest while the VMI has
// Paused=True with reason PausedByUser and resumes it once the condition is
// gone. No extra annotation is used, so the VMI looks exactly like KubeVirt's.

async function pauseVmi(ctx: HandlerContext): Promise<void> {
  const body = decodeOptions(ctx, await readBody(ctx.req));
  const dryRun = isDryRun(ctx, body);
  const vmi = fetchVmi(ctx);
  const name = vmi.metadata.name!;
  if (phaseOf(vmi) !== 'Running') throw conflict(VMI_RESOURCE, name, Message.vmNotRunning);
  const liveness = (vmi.spec as Json | undefined)?.livenessProbe;
  if (isPlainObject(liveness) && liveness.guestAgentPing === undefined) throw forbidden(VMI_RESOURCE, name, Message.pauseLiveness);
  if (hasCondition(vmi, 'Paused')) throw conflict(VMI_RESOURCE, name, Message.vmiAlreadyPaused);
  if (dryRun) return ok(ctx);
  const now = rfc3339(ctx.cluster.clock.now());
  await writeVmiConditions(ctx, vmi, [...conditionsOf(vmi), {
    type: 'Paused', status: 'True', lastProbeTime: now, lastTransitionTime: now, reason: PAUSED_BY_USER, message: Message.pausedByUser,
  }]);
  ok(ctx);
}

async function unpauseVmi(ctx: HandlerContext): Promise<void> {
  const raw = await readBody(ctx.req);
  const vm = ctx.storage.get(kindOf(ctx, 'virtualmachines'), ctx.info.namespace, ctx.info.name!);
  if (vm && vmStatus(vm).snapshotInProgress !== undefined && vmStatus(vm).snapshotInProgress !== null) {
    throw conflict(VM_RESOURCE, vm.metadata.name!, Message.snapshotInProgress);
  }
  const body = decodeOptions(ctx, raw);
  const dryRun = isDryRun(ctx, body);
  const vmi = fetchVmi(ctx);
  const name = vmi.metadata.name!;
  if (phaseOf(vmi) !== 'Running') throw conflict(VMI_RESOURCE, name, Message.vmiNotRunning);
  if (!hasCondition(vmi, 'Paused')) throw conflict(VMI_RESOURCE, name, Message.vmiNotPaused);
  if (dryRun) return ok(ctx);
  await writeVmiConditions(ctx, vmi, conditionsOf(vmi).filter((c) => c.type !== 'Paused'));
  ok(ctx);
}

/** VMIs have no /status: the status is written through the main resource, as KubeVirt's own service account. */
async function writeVmiConditions(ctx: HandlerContext, vmi: KubeObject, conditions: Json[]): Promise<void> {
  const next = jsonClone(vmi);
  const status = (isPlainObject(next.status) ? next.status : {}) as Json;
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  next.status = status;
  try {
    await ctx.storage.update(kindOf(ctx, 'virtualmachineinstances'), vmi.metadata.namespace, vmi.metadata.name!, next, writeOptions(VIRT_HANDLER_USER, 'virt-handler', false));
  } catch (e) {
    throw internal(e instanceof Error ? e.message : String(e));
  }
}
