import type { RolloutSplit } from '../rollouts';

/**
 * The deployment's traffic changed since the caller read it, so nothing was
 * applied. Carries the split and resourceVersion the backend read instead, so
 * the caller can show them and re-apply on top.
 * @public
 */
export class RolloutConflictError extends Error {
  readonly name = 'RolloutConflictError';
  readonly current: RolloutSplit;
  readonly resourceVersion: string;

  constructor(message: string, current: RolloutSplit, resourceVersion: string) {
    super(message);
    this.current = current;
    this.resourceVersion = resourceVersion;
  }
}
