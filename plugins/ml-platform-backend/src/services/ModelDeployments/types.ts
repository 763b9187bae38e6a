import type {
  V1Deployment,
  V1ObjectMeta,
  V1ReplicaSet,
  V1Service,
} from '@kubernetes/client-node';
import type {
  ClusterStatus,
  ModelDeployment,
} from '@mlplatform/plugin-ml-platform-common';

/** The parts of a Gateway API HTTPRoute the cache reads. */
export interface HttpRoute {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    rules?: Array<{
      matches?: Array<{ path?: { type?: string; value?: string } }>;
      backendRefs?: Array<{
        group?: string;
        kind?: string;
        name: string;
        namespace?: string;
        port?: number;
        weight?: number;
      }>;
    }>;
  };
}

/** The parts of an Argo Rollout the cache reads. */
export interface Rollout {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    paused?: boolean;
    template?: { metadata?: { labels?: Record<string, string> } };
    strategy?: {
      canary?: {
        stableService?: string;
        canaryService?: string;
        steps?: Array<{ setWeight?: number; pause?: { duration?: string } }>;
        trafficRouting?: {
          plugins?: Record<
            string,
            | {
                httpRoute?: string;
                httpRoutes?: Array<{ name: string }>;
                namespace?: string;
              }
            | undefined
          >;
        };
      };
    };
  };
  status?: {
    phase?: string;
    message?: string;
    currentStepIndex?: number;
    currentPodHash?: string;
    stableRS?: string;
    controllerPause?: boolean;
    pauseConditions?: Array<{ reason?: string }> | null;
    canary?: {
      weights?: {
        canary?: { weight?: number; podTemplateHash?: string };
        stable?: { weight?: number; podTemplateHash?: string };
      };
    };
  };
}

/** The parts of a KServe InferenceService the cache reads. */
export interface InferenceService {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    predictor?: {
      canaryTrafficPercent?: number;
      model?: { storageUri?: string };
    };
  };
  status?: {
    conditions?: Array<{ type?: string; status?: string; message?: string }>;
    components?: {
      predictor?: {
        latestCreatedRevision?: string;
        latestReadyRevision?: string;
        /** The revision that served all traffic before the current rollout. */
        previousRolledoutRevision?: string;
        traffic?: Array<{
          revisionName?: string;
          percent?: number;
          latestRevision?: boolean;
          tag?: string;
        }>;
      };
    };
  };
}

/** Everything one cluster's watches hold, as plain lists. */
export interface ClusterObjects {
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  services: V1Service[];
  /**
   * Services labelled `ml-platform.io/tool`: the in-cluster ML tools. Always
   * set by the watches; optional so that model-only fixtures may omit it.
   */
  toolServices?: V1Service[];
  httpRoutes: HttpRoute[];
  rollouts: Rollout[];
  inferenceServices: InferenceService[];
}

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
  /** One kind of watched object of every usable cluster, from memory: no request. */
  listObjects<K extends keyof ClusterObjects>(
    key: K,
  ): Array<{ cluster: string; objects: NonNullable<ClusterObjects[K]> }>;
  /**
   * Calls the listener whenever the computed deployments of a cluster change
   * (watch events are coalesced first). Returns the unsubscribe function.
   */
  onChange(listener: (change: ModelDeploymentsChange) => void): () => void;
}
