/**
 * Wraps a read so that at most one runs at a time and callers never get a
 * read that started before their call: a call while a read runs waits for
 * it, then shares the one read that starts after it with every other call
 * made meanwhile. A burst of N calls costs at most two reads.
 */
export function coalesce(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const start = () => {
    running = read().finally(() => {
      running = undefined;
    });
    return running;
  };

  return () => {
    // Checked first: between the end of one read and the start of the
    // queued one, a caller must join the queued one, not start a third.
    if (next) return next;
    if (!running) return start();
    next = running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
