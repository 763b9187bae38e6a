/** The time as controllers write it in a status: UTC, to the second. */
export function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Conditions with their times kept from `current` where the status did not
 * change, as controllers do; so a re-seed is a no-op rather than a new
 * resourceVersion.
 */
export function conditions(current, wanted, ...timeFields) {
  const old = new Map((current ?? []).map(c => [c.type, c]));
  return wanted.map(c => {
    const prev = old.get(c.type);
    const same = prev && prev.status === c.status;
    for (const field of timeFields) {
      c[field] = same && prev[field] ? prev[field] : now();
    }
    return c;
  });
}
