/**
 * Turns the chunks a push-based decoder (fflate's unzip and inflate) hands
 * out into an async stream a {@link ByteReader} pulls from. The producer
 * waits for `drained()` before pushing more, so no more than a chunk or two
 * is ever held; once the consumer stops, further chunks are dropped.
 */
export class Channel implements AsyncIterable<Uint8Array> {
  #queue: Uint8Array[] = [];
  #ended = false;
  #closed = false;
  #wakeConsumer?: () => void;
  #wakeProducer?: () => void;
  /** Bytes the producer pushed, taken or not. */
  pushed = 0;

  push(chunk: Uint8Array) {
    this.pushed += chunk.length;
    if (this.#closed || chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#wakeConsumer?.();
  }

  end() {
    this.#ended = true;
    this.#wakeConsumer?.();
  }

  /** The consumer is done; what comes later is dropped. */
  close() {
    this.#closed = true;
    this.#queue = [];
    this.#wakeProducer?.();
    this.#wakeConsumer?.();
  }

  get closed() {
    return this.#closed;
  }

  /** Resolves when the consumer has taken everything pushed so far. */
  async drained(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      await new Promise<void>(resolve => {
        this.#wakeProducer = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (;;) {
        if (this.#closed) return;
        const chunk = this.#queue.shift();
        if (chunk) {
          if (this.#queue.length === 0) this.#wakeProducer?.();
          yield chunk;
          continue;
        }
        if (this.#ended) return;
        this.#wakeProducer?.();
        await new Promise<void>(resolve => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      this.close();
    }
  }
}
