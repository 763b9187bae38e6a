import type {
  ModelDeployment,
  ModelWorkload,
} from '@mlplatform/plugin-ml-platform-common';
import type { KubeClient, KubeResource } from '../kubernetes';
import type { TrafficRouter } from '../types';

/**
 * A resource kept in memory by a watch in every cluster; with a
 * `labelSelector` only the objects it selects.
 * @public
 */
export interface WatchedResource extends KubeResource {
  labelSelector?: string;
  /** How status messages name it; defaults to `plural`. */
  name?: string;
}

/**
 * What the watches of one cluster hold, from memory.
 * @public
 */
export interface WatchedObjects {
  /**
   * The objects of a resource in every namespace (compared by group,
   * version, plural and label selector); none for a resource nobody
   * declared, and for a router's {@link TrafficKindEnvironment.objects} an
   * error for one its kind did not declare.
   */
  list<T = unknown>(resource: WatchedResource): T[];
}

/**
 * The traffic of one model in one namespace as a traffic kind reads it from
 * one of its objects.
 * @public
 */
export interface TrafficClaim {
  namespace: string;
  model: string;
  registryId?: string;
  router: {
    apiVersion: string;
    kind: string;
    name: string;
    resourceVersion: string;
    managedBy?: string;
  };
  progress?: ModelDeployment['progress'];
  /**
   * The raw weight of each version, as the object holds it; a `workload`
   * replaces the version's own Deployment as what the traffic goes to (an
   * Argo Rollout's ReplicaSet).
   */
  versions: Array<{
    version: string;
    weight: number;
    workload?: ModelWorkload;
  }>;
}

/**
 * What a traffic kind's router may use.
 * @public
 */
export interface TrafficKindEnvironment {
  /** The client of a configured cluster, with the backend's credentials. */
  client(cluster: string): KubeClient;
  /**
   * The watch cache of a cluster, the same the catalog maps its splits from:
   * where a router reads the objects around its own (Services, ReplicaSets,
   * a Rollout that steers it), so that a rollout sends the apiserver only the
   * read of the object and the write guarded by its resourceVersion. It
   * holds only what the kind declared (`object`, `watches` and
   * {@link MODEL_WORKLOAD_RESOURCES}); listing anything else throws. It may
   * lag the apiserver by a watch event, so a decision taken from it must
   * either be safe when a neighbour changed a moment ago or be read live.
   * Listing a resource whose watch has not listed yet, or is failing, throws
   * a `ServiceUnavailableError` naming the cluster: its objects may be
   * missing or arbitrarily old.
   */
  objects(cluster: string): WatchedObjects;
}

/**
 * One way of splitting a model's traffic between its versions, such as a
 * Gateway API HTTPRoute, an Argo Rollout or a KServe InferenceService: what
 * it watches, how it maps the watched objects to a model's split, and the
 * router that reads its object live (its neighbours from the watch cache)
 * and changes it. Registered through
 * {@link mlPlatformTrafficKindsExtensionPoint}, the built-in kinds as well.
 * @public
 */
export interface TrafficKind {
  /** Unique id, e.g. `gateway-api`. */
  readonly id: string;
  /**
   * The routing object: its resource, and its `kind` as objects name it;
   * watched whole unless it has a `labelSelector`.
   */
  readonly object: WatchedResource & { kind: string };
  /**
   * When two kinds route the same model in a namespace, the lower precedence
   * reports its split (a Rollout steers the HTTPRoute it names). Built-in:
   * Argo Rollout 100, KServe 200, HTTPRoute 300; the default is 500.
   */
  readonly precedence?: number;
  /**
   * Resources the kind reads besides its own objects (watched whole) and the
   * model workloads ({@link MODEL_WORKLOAD_RESOURCES}, always watched), in
   * its claim and through its router's {@link TrafficKindEnvironment.objects}.
   */
  readonly watches?: readonly WatchedResource[];
  /** The splits the kind's objects hold. Pure: it must not call a cluster. */
  claim(objects: WatchedObjects): TrafficClaim[];
  /**
   * The router that reads one object live, the objects around it from the
   * watch cache, and applies changes to the object.
   */
  createRouter(env: TrafficKindEnvironment): TrafficRouter;
}
