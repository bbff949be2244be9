// What one kind contributes to the API server: identity, schema, printer
// columns and its strategy (defaults, validation, admission). The API server
// runs a fixed pipeline over these hooks; it never switches on a kind.

import type { FieldErrorLike, StatusCause } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { Schema } from './schema.ts';

export type CellValue = string | number | boolean | null;

export interface PrintContext {
  /** Milliseconds since the epoch, from the cluster clock. */
  now: number;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 = always shown, >0 = only with -o wide. */
  priority?: number;
  /** CRD-style column: a JSONPath into the object (`.status.phase`, `.status.conditions[?(@.type=='Ready')].status`). */
  jsonPath?: string;
  /** Built-in style column: computed from the object (pod STATUS, READY, RESTARTS…). */
  cell?: (obj: KubeObject, ctx: PrintContext) => CellValue;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface StrategyContext {
  /** Cluster clock, milliseconds since the epoch. */
  now: number;
  /** The authenticated user's name. */
  user: string;
  /** Subresource being written ("status" or ""). */
  subresource: string;
}

/**
 * A denial from an admission webhook. The API server turns it into the Status
 * the real apiserver would send: `admission webhook "<webhook>" denied the request: <message>`.
 */
export interface AdmissionDenial {
  webhook: string;
  code: number;
  reason?: 'Invalid' | 'Forbidden' | 'TooManyRequests' | 'BadRequest' | '';
  message: string;
  causes?: StatusCause[];
}

export interface AdmissionResult {
  denied?: AdmissionDenial;
  /** Shown by kubectl as `Warning: …`. */
  warnings?: string[];
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface KindDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /**
   * Custom kinds are served the way CRDs are: listed under
   * apiextensions.k8s.io customresourcedefinitions, JSON/merge/apply patches
   * only (strategic merge patch answers 415), unknown fields pruned by schema.
   */
  custom: boolean;
  /** Verbs in discovery; default: the full read/write set. */
  verbs?: string[];
  subresources?: { status?: boolean; scale?: ScaleSubresource };
  /** Extra subresources served by dedicated handlers (pods/log, pods/eviction…), for discovery. */
  extraSubresources?: { name: string; kind: { group: string; version: string; kind: string }; verbs: string[] }[];
  /** OpenAPI name of the object schema, e.g. `io.k8s.api.core.v1.Pod`, `io.kubevirt.v1.VirtualMachine`. */
  schemaName: string;
  /**
   * Object schema: the properties besides apiVersion, kind and metadata (which
   * the API server adds), usually `spec` and `status`.
   */
  schema: Schema;
  /**
   * Which names are valid (apimachinery's name validators): most kinds use a
   * DNS-1123 subdomain; Namespaces a DNS-1123 label; Services a DNS-1035 label.
   * Default 'subdomain'.
   */
  nameValidation?: 'subdomain' | 'label' | 'label1035' | 'path-segment';
  /**
   * Whether metadata.generation is kept (bumped on spec changes). Custom kinds
   * always do; among built-ins only workloads, PDBs, EndpointSlices and CRDs do.
   */
  tracksGeneration?: boolean;
  /** Human description of the kind, shown by `kubectl explain`. */
  description: string;
  /** Columns after NAME (NAME is always first and added by the server). Empty means NAME + AGE. */
  printerColumns: PrinterColumn[];
  /** Extra field-selector fields beyond metadata.name / metadata.namespace. */
  selectableFields?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Fill defaults in place (runs on create and on every update, like decoding with defaulting). */
  defaults?(obj: KubeObject): void;
  /** Reset fields the user may not set on create (status, for kinds with a status subresource). */
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** Must not mutate. */
  validate?(obj: KubeObject, ctx: StrategyContext): FieldErrorLike[];
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldErrorLike[];
  /** Validating admission webhooks of the real projects (KubeVirt's virtualmachine-validator…). */
  admit?(obj: KubeObject, old: KubeObject | undefined, op: Operation, ctx: StrategyContext): AdmissionResult;
  /** Deletion waits for a controller even without metadata finalizers (namespaces: spec.finalizers). */
  deletionPending?(obj: KubeObject): boolean;
  /** Called on the object when its deletion starts (a namespace turns Terminating). */
  markDeleting?(obj: KubeObject): void;
  /** Deletion: a grace period for graceful deletion (pods), or 0 / undefined for immediate deletion. */
  gracefulDeletionSeconds?(obj: KubeObject, requested: number | undefined): number;
}

export function apiVersionOf(k: Pick<KindDef, 'group' | 'version'>): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** The store key of a resource: "pods", "kubevirt.io/virtualmachines". */
export function resourceKey(group: string, plural: string): string {
  return group ? `${group}/${plural}` : plural;
}
