import { z } from 'zod/v3';
import { REQUEST_LIMITS } from '../limits';
import type { GradualRolloutRequest } from '../rollouts';
import { parseRequest } from './parseRequest';
import { deploymentRequestFields, versionRequestField } from './requestFields';

/**
 * The shape of a {@link GradualRolloutRequest}, the body of
 * `POST /rollouts/gradual`.
 * @public
 */
export const gradualRolloutRequestSchema = z
  .object({
    ...deploymentRequestFields,
    target: z.object({ version: versionRequestField }).strict(),
    steps: z
      .array(
        z
          .object({
            percent: z.number().int().min(0).max(100),
            waitSeconds: z.number().int().min(0),
          })
          .strict(),
      )
      .min(1)
      .max(REQUEST_LIMITS.gradualSteps),
  })
  .strict();

/**
 * The one validation of a gradual rollout request; an InputError names the
 * field.
 * @public
 */
export function parseGradualRolloutRequest(
  value: unknown,
): GradualRolloutRequest {
  return parseRequest(gradualRolloutRequestSchema, value, 'body');
}
