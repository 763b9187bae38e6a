/** Percent per version; the values add up to 100 (or all are 0). */
export type Percents = Record<string, number>;

const clampPercent = (value: number) =>
  Math.min(100, Math.max(0, Math.round(Number.isFinite(value) ? value : 0)));

/**
 * Shares `total` between `keys` in proportion to `basis` (evenly when the
 * basis is all zero), in whole percents that add up to exactly `total`: the
 * largest remainders get the leftover points, so 33/33/34 and not 33/33/33.
 */
export const distribute = (
  keys: string[],
  basis: Percents,
  total: number,
): Percents => {
  if (keys.length === 0) {
    return {};
  }
  const basisSum = keys.reduce((sum, k) => sum + (basis[k] ?? 0), 0);
  const exact = keys.map(k => ({
    key: k,
    value:
      basisSum > 0 ? ((basis[k] ?? 0) * total) / basisSum : total / keys.length,
  }));
  const result: Percents = {};
  let assigned = 0;
  for (const { key, value } of exact) {
    result[key] = Math.floor(value);
    assigned += result[key];
  }
  const byRemainder = [...exact].sort(
    (a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)),
  );
  for (let i = 0; assigned < total; i++, assigned++) {
    result[byRemainder[i % byRemainder.length].key] += 1;
  }
  return result;
};

/**
 * Sets one version's percent and shares the rest among the others in their
 * current proportions, so the split always adds up to 100.
 */
export const setPercent = (
  percents: Percents,
  version: string,
  value: number,
): Percents => {
  const percent = clampPercent(value);
  const others = Object.keys(percents).filter(v => v !== version);
  if (others.length === 0) {
    return { [version]: 100 };
  }
  return {
    ...distribute(others, percents, 100 - percent),
    [version]: percent,
  };
};

/** Every version at 0 except `version`, which takes all traffic. */
export const allTo = (versions: string[], version: string): Percents =>
  Object.fromEntries(versions.map(v => [v, v === version ? 100 : 0]));

/** Versions sorted newest first: numeric registry versions compare as numbers. */
const newestFirst = (versions: string[]): string[] =>
  [...versions].sort((a, b) =>
    b.localeCompare(a, undefined, { numeric: true }),
  );

/** The version with the largest share; the newest one on a tie. */
export const mainVersion = (percents: Percents): string | undefined =>
  newestFirst(Object.keys(percents)).reduce<string | undefined>(
    (best, v) =>
      best === undefined || percents[v] > percents[best] ? v : best,
    undefined,
  );

/**
 * The version a canary or promote most likely means: the newest one that takes
 * no traffic yet, else the newest one that is not the main version.
 */
export const defaultCandidate = (percents: Percents): string | undefined => {
  const versions = newestFirst(Object.keys(percents));
  const idle = versions.find(v => percents[v] === 0);
  if (idle) {
    return idle;
  }
  const main = mainVersion(percents);
  return versions.find(v => v !== main) ?? versions[0];
};
