import type {
  GradualRollout,
  GradualRolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import type { CreatorAuthorization } from './createCreatorCheck';

/** Which gradual rollouts to list; the deployment fields narrow it down. */
export interface GradualRolloutFilter {
  model: string;
  registryId?: string;
  cluster?: string;
  namespace?: string;
}

/**
 * Gradual rollouts: schedules of canary steps kept in the plugin's database
 * and applied through the rollout service, so every step is guarded and
 * audited. Permission checks are the caller's.
 */
export interface GradualRolloutService {
  /**
   * Validates the schedule and applies its first step right away, so that a
   * request the rollout service refuses is reported to the caller. Rejects
   * with InputError (bad schedule, or the first step refused), ConflictError
   * (the deployment has an unfinished gradual rollout) or whatever
   * {@link RolloutService.apply} rejects the first step with; the rollout is
   * then kept as `failed`.
   */
  start(
    request: GradualRolloutRequest,
    actor: string,
    /** What the creator may do, checked again before every step. */
    authorization: CreatorAuthorization,
  ): Promise<GradualRollout>;
  /** Rejects with NotFoundError for an unknown id. */
  get(id: string): Promise<GradualRollout>;
  /** Newest first. */
  list(filter: GradualRolloutFilter): Promise<GradualRollout[]>;
  /** Holds a running rollout at its current step; ConflictError when not running. */
  pause(id: string, actor: string): Promise<GradualRollout>;
  /** Lets a paused rollout go on; ConflictError when not paused. */
  resume(id: string, actor: string): Promise<GradualRollout>;
  /**
   * Stops a running or paused rollout for good, leaving traffic where the
   * last applied step put it; ConflictError when already finished.
   */
  abort(id: string, actor: string): Promise<GradualRollout>;
  /** One pass of the scheduled task: applies every step that is due. */
  runDueSteps(signal?: AbortSignal): Promise<void>;
}

/** Where the service reads the time; tests move it by hand. */
export interface GradualRolloutClock {
  now(): Date;
}
