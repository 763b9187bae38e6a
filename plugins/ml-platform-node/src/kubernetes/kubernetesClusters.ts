import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig, type Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { createKubeClient } from './createKubeClient';
import type { KubeClient } from './KubeClient';
import { kubeConfigFor } from './kubeConfigFor';
import {
  readClusters,
  type ConfiguredCluster,
  type ReadClustersOptions,
} from './readClusters';
import type { KubeRequestPolicy } from './requestPolicy';

const REQUEST_TIMEOUT_KEY = 'mlPlatform.kubernetes.requestTimeout';

/**
 * The client of a configured cluster, by name; a NotFoundError that says why
 * for a cluster that is not configured or cannot be used.
 * @public
 */
export type ClusterClients = (cluster: string) => KubeClient;

/**
 * The clusters of the standard `kubernetes` config section and their
 * clients, with the backend's own credentials for each, never a user's.
 * @public
 */
export interface KubernetesClustersService {
  /** Every configured cluster, usable or with the reason it is not. */
  readonly clusters: ConfiguredCluster[];
  readonly client: ClusterClients;
}

/**
 * Reads the clusters once and makes one client per usable cluster.
 * `mlPlatform.kubernetes.requestTimeout` bounds every request (10 s by
 * default).
 * @public
 */
export function createKubernetesClusters(options: {
  config: Config;
  logger: LoggerService;
  /** For tests: where the pod's service account is mounted. */
  readOptions?: ReadClustersOptions;
  policy?: Partial<KubeRequestPolicy>;
}): KubernetesClustersService {
  const { config, logger } = options;
  const timeoutMs = config.has(REQUEST_TIMEOUT_KEY)
    ? durationToMilliseconds(
        readDurationFromConfig(config, { key: REQUEST_TIMEOUT_KEY }),
      )
    : undefined;
  const policy = {
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...options.policy,
  };
  const clusters = readClusters(config, logger, options.readOptions);
  const clients = new Map<string, KubeClient | string>();
  for (const cluster of clusters) {
    clients.set(
      cluster.name,
      cluster.usable
        ? createKubeClient(cluster.name, kubeConfigFor(cluster), { policy })
        : cluster.error,
    );
  }
  return {
    clusters,
    client(name) {
      const client = clients.get(name);
      if (client === undefined) {
        const known = clusters.map(c => `'${c.name}'`).join(', ') || 'none';
        throw new NotFoundError(
          `No kubernetes cluster named '${name}' is configured (configured: ${known})`,
        );
      }
      if (typeof client === 'string') {
        throw new NotFoundError(client);
      }
      return client;
    },
  };
}

/**
 * The configured clusters and their clients, shared by the ML Platform
 * backend plugin, its modules and the scaffolder actions: one client per
 * cluster in the process.
 * @public
 */
export const kubernetesClustersServiceRef =
  createServiceRef<KubernetesClustersService>({
    id: 'mlPlatform.kubernetesClusters',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.rootLogger,
        },
        factory: ({ config, logger }) =>
          createKubernetesClusters({ config, logger }),
      }),
  });
