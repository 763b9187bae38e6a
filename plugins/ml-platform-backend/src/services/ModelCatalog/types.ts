import {
  ClusterStatus,
  ModelDeployment,
  ModelDetailsResponse,
  ModelListQuery,
  ModelListResponse,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * `GET /models`'s query once the router has filled in its paging.
 * @public
 */
export type ModelQuery = ModelListQuery & { offset: number; limit: number };

/**
 * Where the catalog learns what runs in the clusters; reads are served from
 * memory.
 * @public
 */
export interface DeploymentSource {
  listDeployments(): {
    deployments: ModelDeployment[];
    clusters: ClusterStatus[];
  };
}

/**
 * Every model of every registry, joined with where it runs. Registries are
 * read by `refresh`; queries answer from memory and cost the registries and
 * clusters nothing.
 * @public
 */
export interface ModelCatalogService {
  /**
   * Reads every registry; one that fails keeps its last good data and is
   * reported. With shared snapshots, a registry another replica is reading
   * is not read twice: this waits for that read, or the one after it.
   * With `maxAgeMs`, a registry whose last good read is younger is left as
   * it is.
   */
  refresh(options?: { maxAgeMs?: number }): Promise<void>;
  /**
   * Reads one registry again, after any read of it already running; calls
   * made meanwhile share that read. Rejects with NotFoundError for an
   * unknown id.
   */
  refreshRegistry(registryId: string): Promise<void>;
  /**
   * Loads the registry snapshots other replicas stored since the last call;
   * does nothing when the catalog reads every registry itself.
   */
  loadSnapshots(): Promise<void>;
  /** Waits only for the very first refresh, then answers from memory. */
  listModels(query: ModelQuery): Promise<ModelListResponse>;
  /**
   * Rejects with NotFoundError for a model no registry has, and with
   * ServiceUnavailableError, naming them, when a registry that could have
   * it is not read yet or did not answer its last read.
   */
  getModel(name: string, registryId?: string): Promise<ModelDetailsResponse>;
}
