import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import {
  MODEL_WORKLOAD_RESOURCES,
  watchedResourceKey,
  type TrafficKind,
  type WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';

/** The in-cluster ML tools (MLflow, ZenML, lakeFS), read by the Tools service. */
export const TOOL_SERVICES: WatchedResource = {
  group: '',
  version: 'v1',
  plural: 'services',
  labelSelector: ML_PLATFORM_LABELS.tool,
  name: 'tool services',
};

/**
 * What every cluster watches: the model workloads, the tool Services, and
 * for each traffic kind its objects (whole: a routing object is tied to a
 * model through the Services and workloads it names, not its own labels)
 * and what else it reads. A resource declared twice is watched once.
 */
export function watchedResourcesOf(
  kinds: readonly TrafficKind[],
): WatchedResource[] {
  const byKey = new Map<string, WatchedResource>();
  const declared = [
    ...MODEL_WORKLOAD_RESOURCES,
    TOOL_SERVICES,
    ...kinds.flatMap(kind => [kind.object, ...(kind.watches ?? [])]),
  ];
  for (const resource of declared) {
    const key = watchedResourceKey(resource);
    if (!byKey.has(key)) byKey.set(key, resource);
  }
  return [...byKey.values()];
}
