import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import { REQUEST_LIMITS } from '../limits';
import {
  MAX_ROLLOUT_WEIGHT,
  ROLLOUT_STRATEGIES,
  type RolloutRequest,
} from '../rollouts';
import { parseRequest } from './parseRequest';
import {
  deploymentRequestFields,
  requestName,
  versionRequestField,
} from './requestFields';

/**
 * The shape of a {@link RolloutRequest}, the body of `POST /rollouts` and the
 * input of the rollout actions; {@link parseRolloutRequest} adds the rules of
 * each strategy.
 * @public
 */
export const rolloutRequestSchema = z
  .object({
    ...deploymentRequestFields,
    strategy: z
      .enum(ROLLOUT_STRATEGIES)
      .describe(
        'split: exact weights; canary: target.percent % to target.version; promote: all to target.version; rollback: the split before the latest rollout; abort/retry: of an Argo Rollout',
      ),
    weights: z
      .record(
        versionRequestField,
        z.number().int().min(0).max(MAX_ROLLOUT_WEIGHT),
      )
      .refine(w => Object.keys(w).length <= REQUEST_LIMITS.splitVersions, {
        message: `at most ${REQUEST_LIMITS.splitVersions} versions`,
      })
      .optional()
      .describe('For split: integer weight per version, others get 0'),
    target: z
      .object({
        version: versionRequestField,
        percent: z.number().int().min(0).max(100).optional(),
      })
      .strict()
      .optional()
      .describe('For canary (version and percent) and promote (version)'),
    nextStepOnly: z
      .boolean()
      .optional()
      .describe('For promote of an Argo Rollout: only go to the next step'),
    expectedResourceVersion: requestName(REQUEST_LIMITS.resourceVersion)
      .optional()
      .describe(
        'resourceVersion of the routing object the change was decided on; refused with a conflict if it changed since',
      ),
  })
  .strict();

/** Which fields each strategy needs and which it must not be given. */
function checkStrategyFields(request: RolloutRequest): void {
  const { strategy, weights, target } = request;
  const unused = (field: string) => {
    throw new InputError(`${field}: not used by the ${strategy} strategy`);
  };
  if (strategy === 'split') {
    const entries = Object.entries(weights ?? {});
    if (entries.length === 0) {
      throw new InputError('weights: name at least one version and its weight');
    }
    if (entries.every(([, weight]) => weight === 0)) {
      throw new InputError('weights: at least one version must get traffic');
    }
    if (target) unused('target');
    return;
  }
  if (weights) unused('weights');
  if (strategy === 'promote' && request.nextStepOnly) return;
  if (strategy === 'canary' || strategy === 'promote') {
    if (!target?.version) {
      throw new InputError(
        `target.version: the ${strategy} strategy needs the version to send traffic to`,
      );
    }
    if (strategy === 'canary' && target.percent === undefined) {
      throw new InputError(
        'target.percent: the canary strategy needs the share of the target version',
      );
    }
  }
}

/**
 * The one validation of a rollout request, wherever it comes from (the API,
 * an action, a template): its shape, then what its strategy needs. Throws an
 * InputError naming the field. Which versions exist and may get traffic only
 * the backend knows.
 * @public
 */
export function parseRolloutRequest(value: unknown): RolloutRequest {
  const request: RolloutRequest = parseRequest(
    rolloutRequestSchema,
    value,
    'body',
  );
  checkStrategyFields(request);
  return request;
}
