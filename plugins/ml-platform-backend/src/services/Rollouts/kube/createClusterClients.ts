import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { kubeConfigFor } from '../../ModelDeployments/ClusterWatcher';
import { readClusters } from '@mlplatform/plugin-ml-platform-node';
import { createKubeClient } from './createKubeClient';
import type { KubeClient } from './KubeClient';

/** The client of a configured cluster, by name. */
export type ClusterClients = (cluster: string) => KubeClient;

/**
 * Clients for the clusters of the standard `kubernetes` config section, the
 * same list and credentials the deployment watches use: the backend writes
 * with its own cluster credentials, never the user's.
 */
export function createClusterClients(
  config: Config,
  logger: LoggerService,
): ClusterClients {
  const clients = new Map<string, KubeClient | string>();
  for (const cluster of readClusters(config, logger)) {
    clients.set(
      cluster.name,
      cluster.usable ? createKubeClient(kubeConfigFor(cluster)) : cluster.error,
    );
  }
  return name => {
    const client = clients.get(name);
    if (client === undefined) {
      throw new NotFoundError(
        `No kubernetes cluster named '${name}' is configured`,
      );
    }
    if (typeof client === 'string') {
      throw new NotFoundError(client);
    }
    return client;
  };
}
