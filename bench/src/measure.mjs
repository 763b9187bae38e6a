import { countsBetween } from './countingProxy.mjs';
import { latencySummary, round } from './stats.mjs';

/**
 * Sends `count` requests one after another, each built by makeRequest(i), and
 * reports their latency and what the servers behind the proxies saw per call.
 * check(body, i) throws when an answer is not what a user would need.
 */
export async function measureSequential({
  count,
  makeRequest,
  check,
  proxies,
}) {
  const before = proxies.map(p => p.snapshot());
  const durations = [];
  for (let i = 0; i < count; i++) {
    const { url, init } = makeRequest(i);
    const started = performance.now();
    const res = await fetch(url, init);
    const body = await res.json();
    durations.push(performance.now() - started);
    if (!res.ok) {
      throw new Error(
        `${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(
          body,
        ).slice(0, 300)}`,
      );
    }
    check?.(body, i);
  }
  const servers = proxies.map((p, i) => {
    const seen = countsBetween(before[i], p.snapshot());
    return { ...seen, perCall: round(seen.total / count, 2) };
  });
  return { ...latencySummary(durations), durations, servers };
}

/** One call, timed, with what the servers behind the proxies saw during it. */
export async function measureOnce({ url, init, proxies }) {
  const before = proxies.map(p => p.snapshot());
  const started = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return {
    ms: round(ms),
    body: text ? JSON.parse(text) : undefined,
    servers: proxies.map((p, i) => countsBetween(before[i], p.snapshot())),
  };
}
