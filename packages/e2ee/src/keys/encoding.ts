/**
 * Canonical binary encoding for everything the key schedule MACs, signs,
 * boxes or sends: big-endian integers, fixed-size byte fields, and strings /
 * variable byte fields with a length prefix. One value has exactly one
 * encoding, and the Reader rejects truncation, overlong lengths and trailing
 * bytes, so "parse then re-encode" is the identity and MAC inputs are
 * unambiguous (no two field lists concatenate to the same bytes).
 */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Thrown by {@link Reader} on malformed input. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export class Writer {
  private parts: Uint8Array[] = [];
  private length = 0;

  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError(`u8 out of range: ${n}`);
    return this.push(Uint8Array.of(n));
  }

  u16(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`u16 out of range: ${n}`);
    return this.push(Uint8Array.of(n >>> 8, n & 0xff));
  }

  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`u32 out of range: ${n}`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return this.push(b);
  }

  /** Fixed-size field: the reader must know the size. */
  fixed(b: Uint8Array, size: number): this {
    if (b.length !== size) throw new RangeError(`expected ${size} bytes, got ${b.length}`);
    return this.push(b.slice());
  }

  /** Variable-size bytes with a u16 length prefix. */
  bytes16(b: Uint8Array): this {
    this.u16(b.length);
    return this.push(b.slice());
  }

  /** UTF-8 string with a u16 byte-length prefix. */
  str(s: string): this {
    return this.bytes16(utf8(s));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export class Reader {
  private offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  private take(n: number): Uint8Array {
    if (this.offset + n > this.buf.length) throw new DecodeError('truncated input');
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Bytes consumed so far (to slice "the part before the MAC"). */
  get position(): number {
    return this.offset;
  }

  u8(): number {
    return this.take(1)[0] as number;
  }

  u16(): number {
    const b = this.take(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  /** A fixed-size field, copied out of the input. */
  fixed(size: number): Uint8Array {
    return this.take(size).slice();
  }

  bytes16(): Uint8Array {
    return this.fixed(this.u16());
  }

  str(): string {
    try {
      return utf8Decoder.decode(this.bytes16());
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      throw new DecodeError('invalid UTF-8');
    }
  }

  /** Everything left (e.g. a ciphertext that ends the message). */
  rest(): Uint8Array {
    return this.take(this.buf.length - this.offset).slice();
  }

  /** Throws unless the whole input was consumed. */
  end(): void {
    if (this.offset !== this.buf.length) throw new DecodeError('trailing bytes');
  }
}

/** Constant-time equality of two byte strings (lengths are not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Lexicographic byte order (for sorting public keys). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
