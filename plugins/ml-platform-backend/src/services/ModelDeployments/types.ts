import type {
  WatchedObjects,
  WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';
import type {
  ClusterStatus,
  ModelDeployment,
} from '@mlplatform/plugin-ml-platform-common';

/** Answer of {@link ModelDeploymentsService.listDeployments}. */
export interface ModelDeploymentList {
  deployments: ModelDeployment[];
  clusters: ClusterStatus[];
}

/** What {@link ModelDeploymentsService.onChange} tells its listeners. */
export interface ModelDeploymentsChange {
  cluster: string;
  /** The cluster's deployments after the change. */
  deployments: ModelDeployment[];
}

/**
 * Where models run across the configured clusters, served from watches kept
 * in memory: reading never calls a cluster.
 */
export interface ModelDeploymentsService {
  /** Starts the watches; resolves once every cluster synced or failed once. */
  start(): Promise<void>;
  /** Closes every watch and cancels pending reconnects. */
  stop(): Promise<void>;
  listDeployments(): ModelDeploymentList;
  /**
   * The watch cache of one cluster for the traffic routers: listing a
   * resource whose watch has not listed yet or is failing throws a
   * ServiceUnavailableError naming the cluster; a cluster that is not
   * watched, a NotFoundError.
   */
  syncedObjects(cluster: string): WatchedObjects;
  /** One watched resource's objects in every usable cluster, from memory: no request. */
  listObjects<T>(
    resource: WatchedResource,
  ): Array<{ cluster: string; objects: T[] }>;
  /**
   * Calls the listener whenever the computed deployments of a cluster change
   * (watch events are coalesced first). Returns the unsubscribe function.
   */
  onChange(listener: (change: ModelDeploymentsChange) => void): () => void;
}
