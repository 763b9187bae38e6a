/** Thrown when a stream would have to be read past its byte budget. */
export class OverBudgetError extends Error {
  constructor(readonly limit: number) {
    super(`over the inspection budget of ${limit} bytes`);
    this.name = 'OverBudgetError';
  }
}

/**
 * Reads an async stream of chunks without ever holding more than the part
 * being looked at: callers ask for a few bytes, a line, or to skip many, and
 * the reader pulls chunks as needed. Counts what it consumed and refuses to
 * go past `limit`.
 */
export class ByteReader {
  #iterator: AsyncIterator<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #offsetInFirst = 0;
  #buffered = 0;
  #done = false;
  /** Bytes consumed (read or skipped) so far. */
  position = 0;
  /** Bytes pulled from the source so far (consumed or buffered). */
  pulled = 0;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  get buffered(): number {
    return this.#buffered;
  }

  /** Pulls chunks until `n` bytes are buffered or the stream ends; answers whether they are. */
  async fill(n: number): Promise<boolean> {
    while (this.#buffered < n && !this.#done) {
      if (this.position + this.#buffered >= this.limit) {
        throw new OverBudgetError(this.limit);
      }
      const next = await this.#iterator.next();
      if (next.done) {
        this.#done = true;
        break;
      }
      if (next.value.length === 0) continue;
      this.#chunks.push(next.value);
      this.#buffered += next.value.length;
      this.pulled += next.value.length;
    }
    return this.#buffered >= n;
  }

  /** Whether the stream has no byte left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  #need(n: number) {
    if (this.position + n > this.limit) throw new OverBudgetError(this.limit);
  }

  /** The next `n` bytes, without consuming them; fewer at the end of the stream. */
  async peek(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.#copy(Math.min(n, this.#buffered), false);
  }

  /** Exactly `n` bytes; throws at the end of the stream. */
  async read(n: number): Promise<Uint8Array> {
    this.#need(n);
    if (!(await this.fill(n))) {
      throw new RangeError(`stream ended: wanted ${n} more bytes`);
    }
    return this.#copy(n, true);
  }

  async readByte(): Promise<number> {
    if (this.#buffered < 1) return (await this.read(1))[0];
    this.#need(1);
    const first = this.#chunks[0];
    const b = first[this.#offsetInFirst];
    this.#consume(1);
    return b;
  }

  /** Bytes up to and without the next `\n`, at most `max` of them. */
  async readLine(max = 65536): Promise<Uint8Array> {
    const parts: number[] = [];
    for (;;) {
      const b = await this.readByte();
      if (b === 0x0a) return Uint8Array.from(parts);
      if (parts.length >= max) throw new RangeError('line too long');
      parts.push(b);
    }
  }

  /** Consumes `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    this.#need(n);
    let left = n;
    while (left > 0) {
      if (this.#buffered === 0 && !(await this.fill(1))) {
        throw new RangeError(`stream ended: wanted to skip ${left} more bytes`);
      }
      const take = Math.min(left, this.#buffered);
      this.#consume(take);
      left -= take;
    }
  }

  /** Consumes everything left; answers how many bytes that was. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.fill(1)) {
      const take = this.#buffered;
      this.#need(take);
      this.#consume(take);
      n += take;
    }
    return n;
  }

  /** Stops reading the source early (e.g. after a header said enough). */
  async close(): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    this.#done = true;
    await this.#iterator.return?.();
  }

  #copy(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let written = 0;
    let offset = this.#offsetInFirst;
    for (const chunk of this.#chunks) {
      if (written >= n) break;
      const take = Math.min(n - written, chunk.length - offset);
      out.set(chunk.subarray(offset, offset + take), written);
      written += take;
      offset = 0;
    }
    if (consume) this.#consume(n);
    return out;
  }

  #consume(n: number) {
    let left = n;
    this.position += n;
    this.#buffered -= n;
    while (left > 0) {
      const first = this.#chunks[0];
      const avail = first.length - this.#offsetInFirst;
      if (left < avail) {
        this.#offsetInFirst += left;
        return;
      }
      left -= avail;
      this.#chunks.shift();
      this.#offsetInFirst = 0;
    }
  }
}

/** A stream of one buffer, for tests and small files. */
export async function* bufferSource(
  bytes: Uint8Array,
  chunkSize = 64 * 1024,
): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkSize) {
    yield bytes.subarray(i, i + chunkSize);
  }
}
