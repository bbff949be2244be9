// Minimal protobuf wire-format reader, just enough for the Kubernetes
// `application/vnd.kubernetes.protobuf` request bodies kubectl 1.32 sends.
// Request bodies are untrusted input: every malformed buffer must surface as a
// ProtobufError (which the HTTP layer turns into a 400), never as a RangeError
// or a silent out-of-bounds read.

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
  /**
   * 'malformed': the bytes are not valid (answer 400 BadRequest);
   * 'unsupported': valid envelope, but a kind we have no field table for (answer 415 UnsupportedMediaType).
   */
  readonly code: 'malformed' | 'unsupported';
  constructor(message: string, code: 'malformed' | 'unsupported' = 'malformed') {
    super(message);
    this.code = code;
  }
}

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

export interface Tag {
  field: number;
  wireType: number;
}

const TWO_POW_32 = 0x1_0000_0000;
const utf8 = new TextDecoder('utf-8'); // non-fatal: invalid UTF-8 becomes U+FFFD, as Go's JSON encoder does

export class ProtoReader {
  private pos: number;
  private readonly end: number;

  constructor(private readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get offset(): number {
    return this.pos;
  }

  tag(): Tag {
    const at = this.pos;
    const [lo, hi] = this.varintParts();
    // Field numbers are at most 2^29-1, so a valid key fits in 32 bits.
    if (hi !== 0) throw new ProtobufError(`invalid field key at offset ${at}`);
    const field = lo >>> 3;
    const wireType = lo & 7;
    if (field === 0) throw new ProtobufError(`invalid field number 0 at offset ${at}`);
    return { field, wireType };
  }

  /** Unsigned varint as a number; throws if it does not fit in 2^53-1 (used for lengths and counts). */
  uint(): number {
    const at = this.pos;
    const [lo, hi] = this.varintParts();
    if (hi >= 0x20_0000) throw new ProtobufError(`varint at offset ${at} is too large`);
    return hi * TWO_POW_32 + lo;
  }

  /** Raw unsigned 64-bit varint value. */
  uint64(): bigint {
    const [lo, hi] = this.varintParts();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Signed int64 (two's complement, as Go encodes negative int64): a number when safe, otherwise a bigint. */
  int64(): number | bigint {
    const [lo, hi] = this.varintParts();
    if (hi < 0x20_0000) return hi * TWO_POW_32 + lo; // fast path: small non-negative
    const v = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** Signed int32: negative values arrive sign-extended to 10 bytes; Go keeps the low 32 bits. */
  int32(): number {
    const [lo] = this.varintParts();
    return lo | 0;
  }

  bool(): boolean {
    const [lo, hi] = this.varintParts();
    return lo !== 0 || hi !== 0;
  }

  /** Length-delimited payload as a view into the original buffer (no copy). */
  bytes(): Uint8Array {
    const at = this.pos;
    const len = this.uint();
    if (len > this.end - this.pos) {
      throw new ProtobufError(`truncated: length-delimited field at offset ${at} needs ${len} bytes, ${this.end - this.pos} left`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skip a field we do not know (forward compatibility). Groups are not used by Kubernetes, so they are rejected. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varintParts();
        return;
      case WireType.Fixed64:
        this.advance(8);
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at offset ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufError(`truncated: fixed-width field at offset ${this.pos} needs ${n} bytes`);
    this.pos += n;
  }

  /**
   * Reads a varint as two unsigned 32-bit halves, so 64-bit values need no
   * BigInt on the common path. Like Go's generated decoders, bits beyond 64 in
   * the tenth byte are dropped and an eleventh byte is an error.
   */
  private varintParts(): [number, number] {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtobufError(`varint at offset ${start} is longer than 10 bytes`);
      if (this.pos >= this.end) throw new ProtobufError(`truncated: varint at offset ${start} runs past the end`);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) break;
    }
    return [lo >>> 0, hi >>> 0];
  }
}
