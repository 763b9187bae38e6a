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
 * The traffic of one model on a routing object, by model version: the
 * object as read from the apiserver right now, the objects it names (the
 * Services or ReplicaSets that make a weight a version's) from the watch
 * cache.
 * @public
 */
export interface TrafficSplit {
  /** Raw weight per model version; proportional, as in Gateway API. */
  weights: Record<string, number>;
  /** The object's resourceVersion when the split was read. */
  resourceVersion: string;
  /**
   * Who else writes the object, so that a direct write would be reverted:
   * `argocd:<app>`, `flux:<Kind>/<name>`, or `rollout:<name>` for an
   * HTTPRoute an Argo Rollout steers.
   */
  managedBy?: string;
}

/**
 * One change of a routing object.
 * - `weights`: the new raw weight of every version of the model (versions
 *   left out get 0); each router turns it into its own fields or actions.
 * - `promote`: the version gets all traffic; with `nextStepOnly`, an Argo
 *   Rollout only goes on to its next step.
 * - `abort` / `retry`: Argo Rollouts' own actions.
 * @public
 */
export type TrafficChange =
  | { type: 'weights'; weights: Record<string, number> }
  | { type: 'promote'; version: string; nextStepOnly?: boolean }
  | { type: 'abort' }
  | { type: 'retry' };

/**
 * Reads and changes how traffic is split between model versions on one kind
 * of routing object (Gateway API HTTPRoute, Argo Rollout, KServe
 * InferenceService); made by its {@link TrafficKind}.
 * @public
 */
export interface TrafficRouter {
  /**
   * Reads the object now (one request) and the split between the versions
   * of `model`, mapped through the objects around it in the watch cache
   * ({@link TrafficKindEnvironment.objects}); a change is then planned from
   * exactly this reading, with no second read.
   */
  readSplit(ref: TrafficObjectRef, model: string): Promise<TrafficReading>;
}

/**
 * A routing object as read once by its {@link TrafficRouter}.
 * @public
 */
export interface TrafficReading extends TrafficSplit {
  /**
   * Plans a change from this reading and applies it in one request guarded
   * by the reading's resourceVersion, and resolves with the split the write
   * left. Rejects with an InputError (nothing sent) when the object cannot
   * express the change, and with a ConflictError when the object changed
   * since it was read, in which case nothing was applied. A caller that saw
   * the object earlier passes that `expectedResourceVersion`: if it is not
   * the one read, the object changed since, and the ConflictError comes
   * without a request.
   */
  apply(
    change: TrafficChange,
    options?: { expectedResourceVersion?: string },
  ): Promise<TrafficSplit>;
}
