import { z } from 'zod/v3';
import { REQUEST_LIMITS } from '../limits';

/**
 * A name in a request: surrounding spaces dropped, never empty, at most
 * `max` characters (see {@link REQUEST_LIMITS}).
 * @public
 */
export const requestName = (max: number) => z.string().trim().min(1).max(max);

/**
 * The fields that name one deployment of one registered model, in every
 * request about one.
 * @public
 */
export const deploymentRequestFields = {
  model: requestName(REQUEST_LIMITS.model).describe('Registered model name'),
  registryId: requestName(REQUEST_LIMITS.registryId)
    .optional()
    .describe('Model registry id, when the name exists in several'),
  cluster: requestName(REQUEST_LIMITS.cluster).describe(
    'Cluster name, as in the kubernetes config',
  ),
  namespace: requestName(REQUEST_LIMITS.namespace).describe(
    'Namespace of the deployment',
  ),
};

/**
 * A model version in a request.
 * @public
 */
export const versionRequestField = requestName(REQUEST_LIMITS.version);
