/** Polls `read`, which answers from memory, until it returns a value. */
export async function waitFor<T>(
  read: () => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen in ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 25));
  }
}
