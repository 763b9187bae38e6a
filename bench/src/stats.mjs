import fs from 'node:fs';

/** Nearest-rank percentile of durations in ms. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function latencySummary(durations) {
  return {
    count: durations.length,
    p50Ms: round(percentile(durations, 50)),
    p99Ms: round(percentile(durations, 99)),
    maxMs: round(Math.max(...durations)),
  };
}

export const round = (n, digits = 1) => Number(n.toFixed(digits));

/** Resident memory of a process now and at its peak, from /proc (Linux). */
export function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = field =>
    Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1]);
  return {
    rssMb: round(kb('VmRSS') / 1024),
    peakRssMb: round(kb('VmHWM') / 1024),
  };
}
