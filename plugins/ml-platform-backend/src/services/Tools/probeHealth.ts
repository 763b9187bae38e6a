import http from 'node:http';
import https from 'node:https';

/** The outcome of one health request. */
export interface ProbeResult {
  healthy: boolean;
  checkedAt: string;
  error?: string;
}

/**
 * One GET of a health endpoint; any 2xx is healthy. Redirects are not
 * followed, so no host but the configured or discovered one is contacted.
 * Node's http client rather than fetch, because fetch refuses the ports
 * browsers block (port 1, 6000, 10080, ...) which tools may well listen on,
 * and names the real connection error where fetch says `fetch failed`.
 */
export function probeHealth(
  url: string,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise(resolve => {
    let settled = false;
    const settle = (healthy: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({
        healthy,
        checkedAt: new Date().toISOString(),
        ...(error !== undefined && { error: `${url}: ${error}` }),
      });
    };
    const signal = AbortSignal.timeout(timeoutMs);
    const failed = (error: unknown) =>
      settle(
        false,
        signal.aborted
          ? `no answer within ${timeoutMs} ms`
          : describeRequestError(error),
      );
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      // No keep-alive: a probe a minute leaves no socket open in between.
      { method: 'GET', agent: false, signal, headers: { Accept: '*/*' } },
      res => {
        const status = res.statusCode ?? 0;
        // Read the body (bounded by the timeout) so the socket closes.
        res.resume();
        res.on('error', failed);
        res.on('end', () => {
          if (status >= 200 && status < 300) {
            settle(true);
          } else if (status >= 300 && status < 400) {
            settle(
              false,
              `redirected (HTTP ${status}) to ${
                res.headers.location ?? 'nowhere'
              }; set the health URL it redirects to`,
            );
          } else {
            settle(
              false,
              `HTTP ${status}${
                res.statusMessage ? ` ${res.statusMessage}` : ''
              }`,
            );
          }
        });
      },
    );
    req.on('error', failed);
    req.end();
  });
}

/** `connect ECONNREFUSED 127.0.0.1:1`, also from the AggregateError of a dual-stack connect. */
function describeRequestError(error: unknown): string {
  const e = error as {
    code?: string;
    message?: string;
    errors?: Array<{ message?: string }>;
  };
  const message = e?.message || e?.errors?.[0]?.message || '';
  if (e?.code && !message.includes(e.code)) {
    return message ? `${e.code}: ${message}` : e.code;
  }
  return message || String(error);
}
