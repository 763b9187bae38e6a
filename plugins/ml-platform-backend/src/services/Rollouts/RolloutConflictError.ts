import { ConflictError } from '@backstage/errors';
import type { RolloutSplit } from '@mlplatform/plugin-ml-platform-common';

/**
 * The routing object changed between the read and the write, so nothing was
 * applied. Carries the split as it is now, for the caller to decide again.
 */
export class RolloutConflictError extends ConflictError {
  constructor(
    message: string,
    readonly current: RolloutSplit | undefined,
    readonly resourceVersion: string | undefined,
  ) {
    super(message);
  }
}
