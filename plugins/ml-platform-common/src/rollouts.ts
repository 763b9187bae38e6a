/**
 * What a rollout does to a deployment's traffic:
 * - `split`: exact weights for two or more versions (A/B/n test);
 * - `canary`: one version gets a percentage, the others share the rest in
 *   their current proportions;
 * - `promote`: one version gets all traffic;
 * - `rollback`: the split before the latest succeeded rollout comes back;
 * - `abort` / `retry`: an Argo Rollout's own abort and retry.
 * @public
 */
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/**
 * Every {@link RolloutStrategy}, for the schemas that validate requests.
 * @public
 */
export const ROLLOUT_STRATEGIES = [
  'split',
  'canary',
  'promote',
  'rollback',
  'abort',
  'retry',
] as const;

/**
 * The largest weight of a version in a split: Gateway API's bound for an
 * HTTPRoute backendRef weight.
 * @public
 */
export const MAX_ROLLOUT_WEIGHT = 1_000_000;

/**
 * A change of the traffic of one model's deployment in one cluster and
 * namespace.
 * @public
 */
export interface RolloutRequest {
  /** Registered model name. */
  model: string;
  /** The registry of the model; the deployment's own when missing. */
  registryId?: string;
  cluster: string;
  namespace: string;
  strategy: RolloutStrategy;
  /** For `split`: proportional integer weight per version; versions left out get 0. */
  weights?: Record<string, number>;
  /**
   * For `canary`: the version and its share in percent (integer 0-100).
   * For `promote`: the version that gets all traffic (percent is ignored).
   */
  target?: { version: string; percent?: number };
  /**
   * For `promote` of an Argo Rollout: go to the next step only, as
   * `kubectl argo rollouts promote` without `--full` does.
   */
  nextStepOnly?: boolean;
  /**
   * The routing object's resourceVersion the caller saw; the change is
   * refused with a conflict if the object changed since. Without it, the
   * object as read right before the write is the guard.
   */
  expectedResourceVersion?: string;
}

/**
 * A traffic split: each version's raw weight on the routing object and its
 * share in percent (one decimal; the shares add up to 100, or all are 0).
 * @public
 */
export interface RolloutSplit {
  versions: Array<{ version: string; weight: number; percent: number }>;
}

/**
 * The routing object a rollout wrote to.
 * @public
 */
export interface RolloutRouterRef {
  apiVersion: string;
  kind: string;
  name: string;
}

/**
 * What a succeeded rollout changed.
 * @public
 */
export interface RolloutResult {
  /** Id of the audit record of this rollout. */
  auditId: string;
  router: RolloutRouterRef;
  before: RolloutSplit;
  after: RolloutSplit;
  /** The routing object's resourceVersion after the write. */
  resourceVersion: string;
  /** The registry alias moved with a promote or rollback; `from` is missing when it did not exist. */
  aliasChange?: { alias: string; from?: string; to: string };
  /**
   * Why moving the serving alias failed. The traffic change stands; the
   * alias names the version it named before.
   */
  aliasError?: string;
}

/**
 * How an attempted rollout ended: `refused` before anything was sent
 * (validation, safety gate, GitOps, permission), `conflict` when the object
 * changed since it was read (nothing applied), `failed` when the apiserver
 * rejected the write.
 * @public
 */
export type RolloutOutcome = 'succeeded' | 'failed' | 'conflict' | 'refused';

/**
 * One attempted rollout in the audit trail.
 * @public
 */
export interface RolloutAuditRecord {
  id: string;
  /** ISO 8601 time of the attempt. */
  at: string;
  /** Entity ref of who asked, e.g. `user:default/jane`. */
  actor: string;
  model: string;
  registryId?: string;
  cluster: string;
  namespace: string;
  router?: { kind: string; name: string };
  strategy: RolloutStrategy;
  /** The split read right before the write; missing when it could not be read. */
  before?: RolloutSplit;
  /** For a succeeded rollout, the split written; else the split asked for, when known. */
  after?: RolloutSplit;
  result: RolloutOutcome;
  error?: string;
  /** A registry alias moved along with the rollout. */
  aliasChange?: { alias: string; from?: string; to: string };
}

/**
 * A page of the audit trail, newest first.
 * @public
 */
export interface RolloutAuditPage {
  items: RolloutAuditRecord[];
  /** Pass as `before` to get the next (older) page; missing on the last page. */
  nextCursor?: string;
}

/**
 * A gradual rollout to start, the body of `POST /rollouts/gradual`: the
 * target version gets each step's share in turn, waiting between steps.
 * @public
 */
export interface GradualRolloutRequest {
  model: string;
  registryId?: string;
  cluster: string;
  namespace: string;
  target: { version: string };
  steps: Array<{ percent: number; waitSeconds: number }>;
}

/**
 * A schedule of canary steps towards one version, run by the backend: each
 * step sets the target's share, waits, then the next; the last step (100 %)
 * promotes it.
 * @public
 */
export type GradualRollout = {
  id: string;
  model: string;
  registryId?: string;
  cluster: string;
  namespace: string;
  targetVersion: string;
  steps: Array<{ percent: number; waitSeconds: number }>;
  /** Index of the last applied step, -1 before the first. */
  currentStep: number;
  state: 'running' | 'paused' | 'succeeded' | 'aborted' | 'failed';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  nextStepAt?: string;
  error?: string;
};
