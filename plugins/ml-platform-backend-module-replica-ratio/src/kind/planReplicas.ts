import { InputError } from '@backstage/errors';

/**
 * The replicas of each version that give exactly the requested shares of
 * traffic, with as few replicas in all as the versions have now or more, up
 * to twice as many: traffic through a Service goes to every ready pod alike,
 * so a share is a version's replicas over all replicas. Refused, with the
 * nearest split at today's size, when no size in that range gives the shares.
 */
export function planReplicas(
  current: Record<string, number>,
  weights: Record<string, number>,
  where: string,
): Record<string, number> {
  const versions = Object.keys(weights);
  const totalWeight = versions.reduce((sum, v) => sum + weights[v], 0);
  const size = Math.max(
    1,
    Object.values(current).reduce((sum, n) => sum + n, 0),
  );
  for (let total = size; total <= 2 * size; total++) {
    const replicas = versions.map(v => (weights[v] * total) / totalWeight);
    if (replicas.every(n => Number.isInteger(n))) {
      return Object.fromEntries(versions.map((v, i) => [v, replicas[i]]));
    }
  }
  const nearest = versions
    .map(v => {
      const n = Math.round((weights[v] * size) / totalWeight);
      return `version ${v} ${n} (${Math.round((n * 100) / size)} %)`;
    })
    .join(', ');
  throw new InputError(
    `weights: ${where} splits traffic by ready replicas, and no size from ${size} to ${
      2 * size
    } replicas in all gives exactly the requested shares; the nearest with ${size} replicas: ${nearest}`,
  );
}
