import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  ClusterStatus,
  ModelDeployment,
} from '@mlplatform/plugin-ml-platform-common';
import { ClusterWatcher } from './ClusterWatcher';
import { computeDeployments } from './computeDeployments';
import type {
  KubernetesClustersService,
  TrafficKind,
  WatchRetryOptions,
  WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';
import { watchedResourcesOf } from './watchedResources';
import type {
  ModelDeploymentList,
  ModelDeploymentsChange,
  ModelDeploymentsService,
} from './types';

/** Tuning for tests; the defaults suit a backend. */
export interface ModelDeploymentsOptions extends Partial<WatchRetryOptions> {
  /** Longest wait in start() for clusters that neither answer nor fail. */
  startTimeoutMs?: number;
}

const DEFAULTS: WatchRetryOptions & { startTimeoutMs: number } = {
  initialBackoffMs: 1000,
  maxBackoffMs: 60_000,
  notInstalledRecheckMs: 5 * 60_000,
  startTimeoutMs: 15_000,
};

/**
 * Model deployments across the clusters of the `kubernetes` config section,
 * kept current by watches so that reads cost the clusters nothing.
 */
export function createModelDeploymentsService(options: {
  clusters: KubernetesClustersService;
  /** In order of precedence. */
  kinds: readonly TrafficKind[];
  logger: LoggerService;
  options?: ModelDeploymentsOptions;
}): ModelDeploymentsService {
  const { logger, kinds } = options;
  const resources = watchedResourcesOf(kinds);
  const settings = { ...DEFAULTS, ...options.options };
  const clusters = options.clusters.clusters;
  const watchers = clusters.flatMap(c =>
    c.usable
      ? [
          new ClusterWatcher(
            options.clusters.client(c.name),
            resources,
            settings,
            logger,
            () => changed(c.name),
          ),
        ]
      : [],
  );
  const computed = new Map<
    string,
    { generation: number; deployments: ModelDeployment[] }
  >();

  function deploymentsOf(watcher: ClusterWatcher): ModelDeployment[] {
    const name = watcher.name;
    const cached = computed.get(name);
    if (cached && cached.generation === watcher.generation) {
      return cached.deployments;
    }
    const deployments = computeDeployments(name, watcher.objects(), kinds);
    computed.set(name, { generation: watcher.generation, deployments });
    return deployments;
  }

  // Change notification: watch events arrive in bursts (a list is one event
  // per object), so clusters that changed are collected and their deployments
  // compared once per turn of the event loop.
  const listeners = new Set<(change: ModelDeploymentsChange) => void>();
  const notified = new Map<string, string>();
  const dirty = new Set<string>();
  let flushing: NodeJS.Immediate | undefined;

  function changed(clusterName: string) {
    if (listeners.size === 0) return;
    dirty.add(clusterName);
    flushing ??= setImmediate(flush);
  }

  function flush() {
    flushing = undefined;
    for (const name of [...dirty]) {
      dirty.delete(name);
      const watcher = watchers.find(w => w.name === name)!;
      const deployments = deploymentsOf(watcher);
      const signature = JSON.stringify(deployments);
      if (notified.get(name) === signature) continue;
      notified.set(name, signature);
      for (const listener of [...listeners]) {
        try {
          listener({ cluster: name, deployments });
        } catch (error) {
          logger.error(
            `Model deployments: a change listener failed for cluster ${name}`,
            error as Error,
          );
        }
      }
    }
  }

  return {
    async start() {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>(resolve => {
        timer = setTimeout(resolve, settings.startTimeoutMs);
      });
      const started = Date.now();
      await Promise.race([Promise.all(watchers.map(w => w.start())), timedOut]);
      clearTimeout(timer);
      logger.info(
        `Model deployments: watching ${
          watchers.length
        } cluster(s), first sync took ${Date.now() - started} ms`,
      );
    },

    async stop() {
      if (flushing) clearImmediate(flushing);
      flushing = undefined;
      dirty.clear();
      await Promise.all(watchers.map(w => w.stop()));
    },

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) notified.clear();
      };
    },

    listDeployments(): ModelDeploymentList {
      const statuses: ClusterStatus[] = clusters.map(c =>
        c.usable
          ? watchers.find(w => w.name === c.name)!.status()
          : { name: c.name, ok: false, error: c.error },
      );
      // A cluster that went down keeps its last known deployments; its status says so.
      const deployments = watchers.flatMap(deploymentsOf);
      return { deployments, clusters: statuses };
    },

    syncedObjects(cluster) {
      const watcher = watchers.find(w => w.name === cluster);
      if (!watcher) {
        throw new NotFoundError(`Cluster '${cluster}' is not watched`);
      }
      return watcher.syncedObjects();
    },

    listObjects<T>(resource: WatchedResource) {
      return watchers.map(w => ({
        cluster: w.name,
        objects: w.objects().list<T>(resource),
      }));
    },
  };
}
