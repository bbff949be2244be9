// The grader SDK: the only module a grader (graders/<id>.ts) imports.
// Everything here works the same against the embedded cluster and a real one;
// what only one of them can do is asked for by capability (CheckDef.requires).

export type {
  Capability, CheckContext, CheckDef, CheckResult, CheckStatus, ClusterConnection, ClusterTime,
  CookieJar, ExternalHttp, GradeOptions, GradeReport, GraderDef, HttpExchange, Measurement, Outcome,
} from './types.ts';

export { all, check, defineGrader, fail, GraderDefinitionError, isOutcome, pass } from './define.ts';

export type {
  Condition, CustomObject, Fault, FaultSpec, FaultTarget, FaultType, IPAddressPool, L2Advertisement, LabelSelector,
  Machine, MachineHealthCheck, MachinePhase, MachineSet, MigrationPhase, MigrationState, ObjectMeta, Probe, Route,
  RouteIngress, RunStrategy, VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceMigration,
  VirtualMachineInstanceStatus, VirtualMachineSpec, VirtualMachineStatus, VmiPhase, VmiSpec, Watchdog, WatchdogAction,
} from './kinds.ts';
export { conditionOf, hasCondition } from './kinds.ts';
/** The core kinds as @kubernetes/client-node types them (timestamps are Dates there). */
export type { CoreV1Event, V1EndpointSlice, V1Endpoints, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

export { createExternalHttp, probeHttp, type ExternalHttpOptions, type HttpProbe } from './http.ts';
export { createCookieJar, parseSetCookie, type SetCookie } from './cookies.ts';

export { ClusterReadError, type ListOptions } from './queries/client.ts';
export {
  getVm, getVmi, launcherPod, launcherPods, listMigrations, listVmis, listVms, vmiForPod,
} from './queries/kubevirt.ts';
export {
  getService, listServices, serviceEndpoints, readyEndpoints, readyEndpointsByBackend, isReadyEndpoint, getEndpoints,
  getRoute, listRoutes, routeHost, isRouteAdmitted,
  getIpAddressPool, listIpAddressPools, listL2Advertisements, METALLB_NAMESPACE, loadBalancerIp,
  type ServiceEndpoint,
} from './queries/network.ts';
export {
  getMachine, getMachineHealthCheck, getMachineSet, listMachineHealthChecks, listMachines, listMachineSets,
  MACHINE_API_NAMESPACE, machineForNode,
} from './queries/machine-api.ts';
export { eventsFor, getNode, getPod, isNodeReady, listNodes, listPods, type EventQuery } from './queries/core.ts';

export {
  describeEndpoints, describeNode, describeProbe, describeRouteAdmission, describeVmiReadiness, describeVmRunning, effectiveRunStrategy,
  fieldMismatches, includedIn, isVmRunning, notReadyReason, probeFailureFrom, templateVsInstance,
  type ProbeFailure, type ReadinessFacts, type SpecPath,
} from './describe.ts';
export { readinessFacts, vmiNotReadyPhrase, vmiReadinessProblem } from './explain.ts';
export { expectReadyBackends, expectReadyEndpoints, expectTemplateApplied, expectVmiProbe, expectVmRunning } from './expect.ts';
export { findRunningVm, findVm, vmNotRunning, type RunningVm, type RunningVmOptions, type VmLookupOptions } from './running-vm.ts';
export { waitForNewInstance, type NewInstanceOptions } from './new-instance.ts';
export { probeFailureSeconds, probeSuccessSeconds } from './probe-timing.ts';

export { andList, plural } from './words.ts';
export { describeLabelSelector, labelSelectorMatches } from './label-selector.ts';
export { durationSeconds } from './duration.ts';
export { addressInRange, describeRange, ipv4ToNumber, mergeRanges, numberToIpv4, type AddressRange } from './address-range.ts';
export { ALLOCATED_FROM_POOL_ANNOTATIONS, allocatedFromPool, announcesPool, poolEntryRange, poolRanges } from './metallb.ts';
export { isMachineSetMachine, mhcCoverage, toleratedUnhealthy, unhealthyCondition, unhealthyTimeoutSeconds, type MhcCoverage } from './machine-health.ts';
export { describeForwarding, describeServicePorts, describeServiceSelector, forwardedPort, forwardsTo, type PortForwarding } from './service-shape.ts';
export { pageText, vmNameFromPage } from './web-page.ts';

export {
  getFault, GRADER_FAULT_LABEL, listFaults, measured, secondsSince, waitFor, withFault,
  type FaultHandle, type WaitForOptions, type WaitResult, type WithFaultOptions,
} from './faults.ts';
