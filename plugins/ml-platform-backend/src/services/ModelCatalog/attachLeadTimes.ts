import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { FirstServing, firstServingOf } from '../LeadTime';

/**
 * Adds to each version when it first served traffic and its deployment lead
 * time: from registration in the registry to that moment. A deployment that
 * names no registry counts for the default registry's versions.
 */
export function attachLeadTimes(
  versions: ModelVersion[],
  firstServing: Map<string, FirstServing>,
  defaultRegistryId?: string,
): ModelVersion[] {
  return versions.map(v => {
    const seen = firstServingOf(
      firstServing,
      { registryId: v.registryId, model: v.name, version: v.version },
      defaultRegistryId,
    );
    if (!seen) return v;
    const at = seen.at.toISOString();
    return {
      ...v,
      firstServingAt: at,
      firstServingLocation: {
        cluster: seen.cluster,
        namespace: seen.namespace,
      },
      // A version registered after it was first seen serving (re-registered
      // under the same number) has no meaningful lead time: clamp at zero.
      leadTimeSeconds: v.createdAt
        ? Math.max(0, (Date.parse(at) - Date.parse(v.createdAt)) / 1000)
        : undefined,
    };
  });
}

/** The median of the versions' lead times, or undefined when none served yet. */
export function medianLeadTime(
  versions: ModelVersion[],
): { medianSeconds: number; measuredVersions: number } | undefined {
  const seconds = versions
    .map(v => v.leadTimeSeconds)
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  if (seconds.length === 0) return undefined;
  const mid = Math.floor(seconds.length / 2);
  const medianSeconds =
    seconds.length % 2 ? seconds[mid] : (seconds[mid - 1] + seconds[mid]) / 2;
  return { medianSeconds, measuredVersions: seconds.length };
}
