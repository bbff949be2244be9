// Turns a Kubernetes protobuf request body (Content-Type
// application/vnd.kubernetes.protobuf) into the JSON object kubectl would have
// sent as JSON. kubectl 1.32's typed clients (create namespace/configmap/secret/
// deployment/serviceaccount/service, create token, auth can-i, auth whoami,
// drain's DELETE fallback) send these and never retry with JSON after a 415.
//
// Body layout: the 4-byte magic "k8s\0", then a runtime.Unknown message
//   1 typeMeta {1 apiVersion, 2 kind}, 2 raw (the k8s.io/api message),
//   3 contentEncoding, 4 contentType.

import { ProtoReader, ProtobufError, WireType } from './wire.ts';
import { DeleteOptions, TOP_LEVEL_KINDS, type FieldSpec, type MessageSpec } from './messages.ts';

export { ProtobufError } from './wire.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00); // "k8s\0"

/** True for `application/vnd.kubernetes.protobuf` with or without parameters. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

// A RawExtension may hold another protobuf envelope; bound the nesting so a
// crafted body cannot recurse without end.
const MAX_ENVELOPE_DEPTH = 8;

const utf8 = new TextDecoder('utf-8'); // non-fatal, like Go's JSON encoder (invalid bytes become U+FFFD)

/**
 * Decodes a complete protobuf request body into a JSON object with `kind` and
 * `apiVersion` set. Throws ProtobufError (only) for a missing magic, malformed
 * or truncated data, and kinds without a field table (code 'unsupported').
 */
export function decodeKubernetesProtobuf(body: Uint8Array): Record<string, unknown> {
  return decodeEnvelope(body, 0);
}

function decodeEnvelope(body: Uint8Array, depth: number): Record<string, unknown> {
  if (depth > MAX_ENVELOPE_DEPTH) throw new ProtobufError('protobuf envelopes nested too deeply');
  if (body.length < 4 || KUBERNETES_PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufError('not a Kubernetes protobuf body: missing the "k8s\\0" magic prefix');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  let contentType = '';
  const r = new ProtoReader(body, 4);
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field >= 1 && field <= 4) expectWireType('runtime.Unknown', field, wireType, WireType.LengthDelimited);
    switch (field) {
      case 1: {
        const tm = new ProtoReader(r.bytes());
        while (!tm.done) {
          const t = tm.tag();
          if (t.field === 1 || t.field === 2) {
            expectWireType('runtime.TypeMeta', t.field, t.wireType, WireType.LengthDelimited);
            if (t.field === 1) apiVersion = tm.string();
            else kind = tm.string();
          } else tm.skip(t.wireType);
        }
        break;
      }
      case 2:
        raw = r.bytes();
        break;
      case 3:
        contentEncoding = r.string();
        break;
      case 4:
        contentType = r.string();
        break;
      default:
        r.skip(wireType);
    }
  }
  if (!kind) throw new ProtobufError('protobuf body has no kind in runtime.Unknown typeMeta');
  if (contentEncoding) throw new ProtobufError(`protobuf body uses contentEncoding "${contentEncoding}", which is not supported`);
  if (contentType && !isProtobufContentType(contentType)) {
    throw new ProtobufError(`protobuf body wraps content type "${contentType}", which is not supported`);
  }
  // DeleteOptions is registered in every group version (v1, apps/v1, meta.k8s.io/v1, ...).
  const spec = kind === 'DeleteOptions' ? DeleteOptions : TOP_LEVEL_KINDS.get(`${apiVersion}/${kind}`);
  if (!spec) {
    throw new ProtobufError(`protobuf bodies are not supported for ${apiVersion}, Kind=${kind}; send JSON`, 'unsupported');
  }
  return { kind, apiVersion, ...decodeFields(raw, spec, depth) };
}

/** Decodes one message with a field table (exported for tests and for callers with their own tables). */
export function decodeMessage(bytes: Uint8Array, spec: MessageSpec): Record<string, unknown> {
  return decodeFields(bytes, spec, 0);
}

const COMPOSITE_KINDS: ReadonlySet<FieldSpec['kind']> = new Set(['message', 'time', 'microtime', 'quantity', 'intorstring', 'rawextension']);
const VARINT_KINDS: ReadonlySet<FieldSpec['kind']> = new Set(['int32', 'int64', 'bool']);

function decodeFields(bytes: Uint8Array, spec: MessageSpec, depth: number): Record<string, unknown> {
  const r = new ProtoReader(bytes);
  // Singular scalars: last occurrence wins. Repeated fields: appended. Maps: last key wins.
  const values = new Map<number, unknown>();
  // Singular embedded messages: protobuf merges repeated occurrences, which is
  // the same as decoding the concatenated payloads once.
  const chunks = new Map<number, Uint8Array[]>();

  while (!r.done) {
    const { field, wireType } = r.tag();
    const f = spec[field];
    if (!f) {
      r.skip(wireType);
      continue;
    }
    if (f.kind === 'map') {
      expectWireType(f.name, field, wireType, WireType.LengthDelimited);
      const map = (values.get(field) as Record<string, unknown> | undefined) ?? {};
      const [k, v] = decodeMapEntry(r.bytes(), f, depth);
      map[k] = v;
      values.set(field, map);
    } else if (COMPOSITE_KINDS.has(f.kind)) {
      expectWireType(f.name, field, wireType, WireType.LengthDelimited);
      const payload = r.bytes();
      if (f.repeated) pushValue(values, field, decodeComposite(payload, f, depth));
      else chunks.set(field, [...(chunks.get(field) ?? []), payload]);
    } else if (VARINT_KINDS.has(f.kind)) {
      if (f.repeated && wireType === WireType.LengthDelimited) {
        // Packed encoding: accepted for any repeated varint field, as Go's decoders do.
        const packed = new ProtoReader(r.bytes());
        while (!packed.done) pushValue(values, field, readVarintValue(packed, f));
      } else {
        expectWireType(f.name, field, wireType, WireType.Varint);
        const v = readVarintValue(r, f);
        if (f.repeated) pushValue(values, field, v);
        else values.set(field, v);
      }
    } else {
      expectWireType(f.name, field, wireType, WireType.LengthDelimited);
      const v = f.kind === 'bytes' ? base64(r.bytes()) : r.string();
      if (f.repeated) pushValue(values, field, v);
      else values.set(field, v);
    }
  }

  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec)) {
    const field = Number(key);
    const f = spec[field]!;
    const parts = chunks.get(field);
    if (f.inline) {
      // Go's inline structs are values: their own always-fields show up even when absent.
      Object.assign(out, decodeFields(parts ? concat(parts) : new Uint8Array(0), f.message ?? {}, depth));
    } else if (parts) {
      out[f.name] = decodeComposite(concat(parts), f, depth);
    } else if (values.has(field)) {
      const v = values.get(field);
      if (f.repeated || f.kind === 'map' || f.pointer || f.always || !isZero(v)) out[f.name] = v;
    } else if (f.always) {
      out[f.name] = zeroValue(f, depth);
    }
  }
  return out;
}

function pushValue(values: Map<number, unknown>, field: number, v: unknown): void {
  const list = values.get(field) as unknown[] | undefined;
  if (list) list.push(v);
  else values.set(field, [v]);
}

function readVarintValue(r: ProtoReader, f: FieldSpec): unknown {
  switch (f.kind) {
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    default: {
      // JSON numbers beyond 2^53 lose precision in JavaScript anyway (JSON.parse does the same).
      const v = r.int64();
      return typeof v === 'bigint' ? Number(v) : v;
    }
  }
}

function decodeComposite(bytes: Uint8Array, f: FieldSpec, depth: number): unknown {
  switch (f.kind) {
    case 'time':
      return decodeTime(bytes, false);
    case 'microtime':
      return decodeTime(bytes, true);
    case 'quantity':
      return decodeQuantity(bytes);
    case 'intorstring':
      return decodeIntOrString(bytes);
    case 'rawextension':
      return decodeRawExtension(bytes, depth);
    default:
      return decodeFields(bytes, f.message ?? {}, depth);
  }
}

function decodeMapEntry(bytes: Uint8Array, f: FieldSpec, depth: number): [string, unknown] {
  const r = new ProtoReader(bytes);
  const valueKind = f.mapValue ?? 'string';
  let key = '';
  let value: Uint8Array | undefined;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1 || field === 2) {
      expectWireType(`${f.name} map entry`, field, wireType, WireType.LengthDelimited);
      if (field === 1) key = r.string();
      else value = r.bytes();
    } else r.skip(wireType);
  }
  const v = value ?? new Uint8Array(0);
  switch (valueKind) {
    case 'bytes':
      return [key, base64(v)];
    case 'quantity':
      return [key, decodeQuantity(v)];
    case 'message':
      return [key, decodeFields(v, f.message ?? {}, depth)];
    default:
      return [key, utf8.decode(v)];
  }
}

/** resource.Quantity is {1: string}; kubectl sends the canonical string, which is passed through as is. */
function decodeQuantity(bytes: Uint8Array): string {
  const r = new ProtoReader(bytes);
  let s = '0'; // Go's zero Quantity marshals as "0"
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType('Quantity', field, wireType, WireType.LengthDelimited);
      s = r.string();
    } else r.skip(wireType);
  }
  return s;
}

/** intstr.IntOrString is {1 type (0 int, 1 string), 2 intVal, 3 strVal}; JSON is a bare number or string. */
function decodeIntOrString(bytes: Uint8Array): number | string {
  const r = new ProtoReader(bytes);
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType('IntOrString.type', field, wireType, WireType.Varint);
      const t = r.int64();
      type = typeof t === 'bigint' ? -1 : t;
    } else if (field === 2) {
      expectWireType('IntOrString.intVal', field, wireType, WireType.Varint);
      intVal = r.int32();
    } else if (field === 3) {
      expectWireType('IntOrString.strVal', field, wireType, WireType.LengthDelimited);
      strVal = r.string();
    } else r.skip(wireType);
  }
  if (type === 0) return intVal;
  if (type === 1) return strVal;
  throw new ProtobufError(`invalid IntOrString type ${type}`);
}

const GO_ZERO_TIME_SECONDS = -62135596800; // 0001-01-01T00:00:00Z, Go's time.Time{}
const MIN_SECONDS = -62167219200; // 0000-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

/**
 * meta/v1 Time and MicroTime are {1 seconds, 2 nanos}. An empty payload is Go's
 * zero time, which Go's JSON shows as null. Time drops the nanoseconds (Go does
 * the same on decode) and prints RFC3339 seconds; MicroTime keeps exactly six
 * fractional digits, as kubectl's parser requires.
 */
function decodeTime(bytes: Uint8Array, micro: boolean): string | null {
  if (bytes.length === 0) return null;
  const r = new ProtoReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType('Time.seconds', field, wireType, WireType.Varint);
      const s = r.int64();
      seconds = typeof s === 'bigint' ? Number(s) : s;
    } else if (field === 2) {
      expectWireType('Time.nanos', field, wireType, WireType.Varint);
      nanos = r.int32();
    } else r.skip(wireType);
  }
  let micros = 0;
  if (micro) {
    // Go's time.Unix normalises nanos outside [0, 1e9) into the seconds.
    seconds += Math.floor(nanos / 1e9);
    micros = Math.floor((((nanos % 1e9) + 1e9) % 1e9) / 1000);
  }
  if (seconds === GO_ZERO_TIME_SECONDS && micros === 0) return null;
  if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) throw new ProtobufError(`time value ${seconds}s is out of range`);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(micros).padStart(6, '0')}Z` : `${iso}Z`;
}

/** runtime.RawExtension is {1 raw}; its JSON is the embedded object, which may itself be JSON or a protobuf envelope. */
function decodeRawExtension(bytes: Uint8Array, depth: number): unknown {
  const r = new ProtoReader(bytes);
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType('RawExtension.raw', field, wireType, WireType.LengthDelimited);
      raw = r.bytes();
    } else r.skip(wireType);
  }
  if (!raw || raw.length === 0) return null;
  if (raw[0] === KUBERNETES_PROTOBUF_MAGIC[0]) return decodeEnvelope(raw, depth + 1);
  try {
    return JSON.parse(utf8.decode(raw)) as unknown;
  } catch {
    throw new ProtobufError('RawExtension holds neither JSON nor a Kubernetes protobuf envelope');
  }
}

function zeroValue(f: FieldSpec, depth: number): unknown {
  if (f.repeated || f.pointer || f.kind === 'map') return null;
  switch (f.kind) {
    case 'string':
      return '';
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
    case 'quantity':
      return '0';
    case 'intorstring':
      return 0;
    case 'message':
      return decodeFields(new Uint8Array(0), f.message ?? {}, depth);
    default: // bytes, time, microtime, rawextension
      return null;
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function expectWireType(name: string, field: number, got: number, want: number): void {
  if (got !== want) throw new ProtobufError(`field ${name} (${field}) has wire type ${got}, expected ${want}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
