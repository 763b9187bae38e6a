import { ConflictError } from '@backstage/errors';
import { describeObject, type KubeResource } from '../kubernetes';
import type { TrafficObjectRef } from '../types';

/**
 * The resourceVersion a write planned from a reading is guarded by. A caller
 * that saw the object at another version is told at once that it changed
 * since, in the client's words: a write guarded by the caller's version could
 * only be refused.
 * @public
 */
export function guardOfReading(
  resource: KubeResource,
  ref: TrafficObjectRef,
  read: string,
  expected: string | undefined,
): string {
  if (expected !== undefined && expected !== read) {
    throw new ConflictError(
      `${describeObject(
        resource,
        ref.namespace,
        ref.name,
      )} changed since it was read; nothing was applied. Read it again and retry.`,
    );
  }
  return read;
}
