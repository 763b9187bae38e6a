/**
 * fetch for tests that stop and start servers: a server comes back on its own
 * port, and fetch may reuse a pooled connection the old process (or an idle
 * timeout) closed, failing with "other side closed" (or EPIPE, ECONNRESET when
 * the write meets the closed socket) although the request never reached a
 * server. Such a request is sent once more; every other failure
 * stands.
 */
export async function fetchAcrossRestarts(
  url: string,
  init?: RequestInit,
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    const cause = (e as Error).cause as { code?: string } | undefined;
    const stale =
      /other side closed/.test(String(cause)) ||
      cause?.code === 'EPIPE' ||
      cause?.code === 'ECONNRESET';
    if (!stale) throw e;
    return fetch(url, init);
  }
}
