import { ServiceUnavailableError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import {
  MODEL_DEPLOYMENTS,
  MODEL_SERVICES,
  type KubeClient,
  type ResourceWatch,
  type WatchState,
} from '@mlplatform/plugin-ml-platform-node';
import { ClusterWatcher } from './ClusterWatcher';

const RETRY = {
  initialBackoffMs: 1,
  maxBackoffMs: 1,
  notInstalledRecheckMs: 1,
};

/** A cluster whose watches hold `objects` and report the state the test sets. */
function watcherOf(objects: unknown[]) {
  const states = new Map<string, WatchState>();
  const client = {
    cluster: 'prod',
    watch: resource =>
      ({
        resource,
        start: async () => {},
        stop: async () => {},
        objects: () => objects,
        state: () =>
          states.get(resource.plural) ?? { synced: true, notInstalled: false },
      } as ResourceWatch),
  } as Partial<KubeClient> as KubeClient;
  const watcher = new ClusterWatcher(
    client,
    [MODEL_DEPLOYMENTS, MODEL_SERVICES],
    RETRY,
    mockServices.logger.mock(),
  );
  return { watcher, states };
}

describe('ClusterWatcher.syncedObjects', () => {
  it('lists from memory once the watch has listed', () => {
    const { watcher } = watcherOf([{ metadata: { name: 'scorer-v1' } }]);
    expect(watcher.syncedObjects().list(MODEL_DEPLOYMENTS)).toEqual([
      { metadata: { name: 'scorer-v1' } },
    ]);
  });

  it('refuses, naming the cluster, a resource not listed yet or whose watch fails', () => {
    const { watcher, states } = watcherOf([]);
    states.set('deployments', { synced: false, notInstalled: false });
    states.set('services', {
      synced: true,
      notInstalled: false,
      error: 'connect ECONNREFUSED',
    });
    const objects = watcher.syncedObjects();
    expect(() => objects.list(MODEL_DEPLOYMENTS)).toThrow(
      new ServiceUnavailableError(
        "Cluster 'prod' is not read yet: its deployments are not known, their watch has not listed them; nothing was applied, try again in a moment",
      ),
    );
    expect(() => objects.list(MODEL_SERVICES)).toThrow(
      "Cluster 'prod' does not answer: the watch of its services is failing (connect ECONNREFUSED); nothing was applied",
    );
  });

  it('has no objects, and no error, for a kind whose CRD is not installed', () => {
    const { watcher, states } = watcherOf([]);
    states.set('deployments', { synced: true, notInstalled: true });
    expect(watcher.syncedObjects().list(MODEL_DEPLOYMENTS)).toEqual([]);
  });
});
