import { REQUEST_LIMITS } from '@mlplatform/plugin-ml-platform-common';
import { z } from 'zod/v3';

/**
 * A name in a request: surrounding spaces dropped, never empty, at most
 * `max` characters (see {@link REQUEST_LIMITS}).
 */
export const name = (max: number) => z.string().trim().min(1).max(max);

/** Which deployment of which registered model a rollout request is about. */
export const deploymentFields = {
  model: name(REQUEST_LIMITS.model),
  registryId: name(REQUEST_LIMITS.registryId).optional(),
  cluster: name(REQUEST_LIMITS.cluster),
  namespace: name(REQUEST_LIMITS.namespace),
};

/** A model version in a request. */
export const versionField = name(REQUEST_LIMITS.version);
