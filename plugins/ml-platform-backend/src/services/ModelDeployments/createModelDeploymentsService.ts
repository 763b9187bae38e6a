import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  ClusterStatus,
  ModelDeployment,
} from '@mlplatform/plugin-ml-platform-common';
import { ClusterWatcher } from './ClusterWatcher';
import { computeDeployments } from './computeDeployments';
import type { RetryOptions } from './KindWatch';
import { readClusters } from './readClusters';
import type { ModelDeploymentList, ModelDeploymentsService } from './types';

/** Tuning for tests; the defaults suit a backend. */
export interface ModelDeploymentsOptions extends Partial<RetryOptions> {
  /** Longest wait in start() for clusters that neither answer nor fail. */
  startTimeoutMs?: number;
}

const DEFAULTS: RetryOptions & { startTimeoutMs: number } = {
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
  config: Config;
  logger: LoggerService;
  options?: ModelDeploymentsOptions;
}): ModelDeploymentsService {
  const { config, logger } = options;
  const settings = { ...DEFAULTS, ...options.options };
  const clusters = readClusters(config, logger);
  const watchers = clusters.flatMap(c =>
    c.usable ? [new ClusterWatcher(c, settings, logger)] : [],
  );
  const computed = new Map<
    string,
    { generation: number; deployments: ModelDeployment[] }
  >();

  function deploymentsOf(watcher: ClusterWatcher): ModelDeployment[] {
    const name = watcher.cluster.name;
    const cached = computed.get(name);
    if (cached && cached.generation === watcher.generation) {
      return cached.deployments;
    }
    const deployments = computeDeployments(name, watcher.objects());
    computed.set(name, { generation: watcher.generation, deployments });
    return deployments;
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
      await Promise.all(watchers.map(w => w.stop()));
    },

    listDeployments(): ModelDeploymentList {
      const statuses: ClusterStatus[] = clusters.map(c =>
        c.usable
          ? watchers.find(w => w.cluster.name === c.name)!.status()
          : { name: c.name, ok: false, error: c.error },
      );
      // A cluster that went down keeps its last known deployments; its status says so.
      const deployments = watchers.flatMap(deploymentsOf);
      return { deployments, clusters: statuses };
    },
  };
}
