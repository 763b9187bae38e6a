import { rolloutRequestSchema } from '@mlplatform/plugin-ml-platform-common';
import type { z as zod } from 'zod/v3';

type Z = typeof zod;

const split = (z: Z) =>
  z.object({
    versions: z.array(
      z.object({
        version: z.string(),
        weight: z.number(),
        percent: z.number(),
      }),
    ),
  });

const fields = rolloutRequestSchema.shape;

/**
 * Input fields that name one model's deployment, common to both actions:
 * the rollout request's own, from the common package.
 */
export const deploymentInput = {
  model: () => fields.model,
  registryId: () => fields.registryId,
  cluster: () => fields.cluster,
  namespace: () => fields.namespace,
  expectedResourceVersion: () => fields.expectedResourceVersion,
};

/** The rollout request's fields of a change, for `rollout:apply`. */
export const changeInput = {
  strategy: () => fields.strategy,
  weights: () => fields.weights,
  nextStepOnly: () => fields.nextStepOnly,
};

/** What both actions output; a dry run outputs only `request`. */
export const rolloutOutput = {
  request: (z: Z) =>
    z
      .record(z.string(), z.any())
      .describe('The request sent to POST /api/ml-platform/rollouts'),
  auditId: (z: Z) =>
    z.string().optional().describe('Id of the audit record of the rollout'),
  router: (z: Z) =>
    z
      .object({ apiVersion: z.string(), kind: z.string(), name: z.string() })
      .optional()
      .describe('The routing object written to'),
  before: (z: Z) =>
    split(z).optional().describe('The split before the rollout'),
  after: (z: Z) => split(z).optional().describe('The split written'),
  resourceVersion: (z: Z) =>
    z
      .string()
      .optional()
      .describe("The routing object's resourceVersion after the write"),
};
