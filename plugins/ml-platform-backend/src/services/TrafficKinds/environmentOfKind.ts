import {
  MODEL_WORKLOAD_RESOURCES,
  watchedResourceKey,
  type TrafficKind,
  type TrafficKindEnvironment,
  type WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';

/**
 * What one kind's router gets: the backend's environment, with the watch
 * cache narrowed to what the kind declared. Another kind may watch more in
 * the same cluster; a router that read it would work only next to that kind.
 */
export function environmentOfKind(
  kind: TrafficKind,
  env: TrafficKindEnvironment,
): TrafficKindEnvironment {
  const declared = new Set(
    [kind.object, ...(kind.watches ?? []), ...MODEL_WORKLOAD_RESOURCES].map(
      watchedResourceKey,
    ),
  );
  return {
    client: env.client,
    objects(cluster) {
      const objects = env.objects(cluster);
      return {
        list: <T>(resource: WatchedResource) => {
          if (!declared.has(watchedResourceKey(resource))) {
            throw new Error(
              `Traffic kind '${kind.id}' reads ${watchedResourceKey(
                resource,
              )}, which it does not declare in its object or watches`,
            );
          }
          return objects.list<T>(resource);
        },
      };
    },
  };
}
