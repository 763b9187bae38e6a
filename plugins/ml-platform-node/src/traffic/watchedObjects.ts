import type { WatchedObjects, WatchedResource } from './TrafficKind';

/**
 * The identity of a watch: two declarations of the same resource and label
 * selector share one.
 * @public
 */
export function watchedResourceKey(resource: WatchedResource): string {
  return `${resource.group}/${resource.version}/${resource.plural}?${
    resource.labelSelector ?? ''
  }`;
}

/**
 * Watched objects from lists in memory: for a router that maps the object it
 * read live, with its neighbours from the watch cache, exactly as its claim
 * does, and for tests.
 * @public
 */
export function watchedObjectsOf(
  entries: ReadonlyArray<readonly [WatchedResource, readonly unknown[]]>,
): WatchedObjects {
  const byKey = new Map<string, unknown[]>();
  for (const [resource, items] of entries) {
    const key = watchedResourceKey(resource);
    byKey.set(key, [...(byKey.get(key) ?? []), ...items]);
  }
  return {
    list: <T>(resource: WatchedResource) =>
      (byKey.get(watchedResourceKey(resource)) ?? []) as T[],
  };
}
