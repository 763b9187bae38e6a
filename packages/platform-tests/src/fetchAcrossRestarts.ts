/**
 * fetch for tests that stop and start servers: a server comes back on its own
 * port, and fetch may reuse a pooled connection the old process (or an idle
 * timeout) closed, failing with "other side closed" although the request never
 * reached a server. Such a request is sent once more; every other failure
 * stands.
 */
export async function fetchAcrossRestarts(
  url: string,
  init?: RequestInit,
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (!/other side closed/.test(String((e as Error).cause))) throw e;
    return fetch(url, init);
  }
}
