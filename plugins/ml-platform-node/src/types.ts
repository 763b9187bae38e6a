import {
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * A source of registered models and their versions, such as an MLflow
 * tracking server. Registered through {@link mlPlatformModelRegistriesExtensionPoint}.
 * @public
 */
export interface ModelRegistry {
  /** Unique id of this registry instance, used in entity annotations and URLs. */
  readonly id: string;
  /** The kind of registry, e.g. `mlflow`. */
  readonly type: string;
  /** Every registered model of this registry. */
  listModels(): Promise<RegisteredModel[]>;
  /** Every version of every registered model, with its run, aliases and safety. */
  listVersions(): Promise<ModelVersion[]>;
}

/**
 * A reference to a Kubernetes object that routes traffic between versions.
 * @public
 */
export interface TrafficObjectRef {
  cluster: string;
  namespace: string;
  apiVersion: string;
  kind: string;
  name: string;
}

/**
 * The traffic share of each backend of a routing object, by backend name.
 * Weights are proportional, as in Gateway API; percentages are derived.
 * @public
 */
export interface TrafficSplit {
  weights: Record<string, number>;
  /** The object's resourceVersion when the split was read. */
  resourceVersion: string;
}

/**
 * Reads and changes how traffic is split between model versions on one kind
 * of routing object (Gateway API HTTPRoute, Argo Rollout, KServe
 * InferenceService). Registered through {@link mlPlatformTrafficRoutersExtensionPoint}.
 * @public
 */
export interface TrafficRouter {
  /** Unique id, e.g. `gateway-api`. */
  readonly id: string;
  /** Whether this router handles objects of the given apiVersion and kind. */
  supports(ref: Pick<TrafficObjectRef, 'apiVersion' | 'kind'>): boolean;
  readSplit(ref: TrafficObjectRef): Promise<TrafficSplit>;
  /**
   * Applies a split in one request guarded by `expectedResourceVersion`;
   * rejects with a ConflictError when the object changed since it was read.
   */
  applySplit(
    ref: TrafficObjectRef,
    weights: Record<string, number>,
    options: { expectedResourceVersion: string },
  ): Promise<TrafficSplit>;
}
