import type {
  ModelDetailsResponse,
  RolloutRequest,
  RolloutResult,
  RolloutRouterRef,
  RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';

/** What the rollout service needs of the model catalog. */
export interface RolloutCatalog {
  /** Rejects with NotFoundError for an unknown model. */
  getModel(name: string, registryId?: string): Promise<ModelDetailsResponse>;
}

/**
 * Changes the traffic of model deployments. Every attempt, whatever its
 * outcome, is recorded in the audit trail. Permission checks are the
 * caller's: the service trusts the actor it is given.
 */
export interface RolloutService {
  /**
   * Validates the request, reads the routing object, and applies the change
   * in one write guarded by the object's resourceVersion.
   *
   * Rejects with InputError (bad request, version unknown or unsafe, change
   * the object cannot express), NotFoundError (model, deployment or cluster
   * unknown; nothing to roll back), NotAllowedError (object managed by
   * GitOps), {@link RolloutConflictError} (the object changed: nothing was
   * applied) or an Error from the apiserver.
   *
   * `resolved` is the model as the caller already resolved it for the
   * permission check, so that it is not looked up again.
   */
  apply(
    request: RolloutRequest,
    actor: string,
    resolved?: ModelDetailsResponse,
  ): Promise<RolloutResult>;
  /**
   * Records an attempt refused before it reached {@link RolloutService.apply},
   * e.g. by the permission check, so that the audit trail holds it too;
   * with the routing object and its split when the refusal read them.
   */
  recordRefused(
    request: RolloutRequest,
    actor: string,
    reason: string,
    seen?: CurrentSplit,
  ): Promise<void>;
  /**
   * The deployment's routing object and its split as the apiserver has them
   * now. Rejects as {@link RolloutService.apply} does for an unknown model,
   * deployment or cluster.
   */
  current(request: RolloutRequest): Promise<CurrentSplit>;
}

/** A deployment's routing object and its split, read from the apiserver. */
export interface CurrentSplit {
  router: RolloutRouterRef;
  split: RolloutSplit;
  resourceVersion: string;
}
