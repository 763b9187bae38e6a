import type { RolloutSplit } from '@mlplatform/plugin-ml-platform-common';
import { splitPercentages } from '@mlplatform/plugin-ml-platform-node';

const byVersion = (a: string, b: string) =>
  a.localeCompare(b, undefined, { numeric: true });

/** Raw weights by version as a split with percentages, ordered by version. */
export function toRolloutSplit(weights: Record<string, number>): RolloutSplit {
  const versions = Object.keys(weights).sort(byVersion);
  const percents = splitPercentages(versions.map(v => weights[v]));
  return {
    versions: versions.map((version, i) => ({
      version,
      weight: weights[version],
      percent: percents[i],
    })),
  };
}

/** Back from a recorded split to raw weights. */
export function weightsOf(split: RolloutSplit): Record<string, number> {
  return Object.fromEntries(split.versions.map(v => [v.version, v.weight]));
}
