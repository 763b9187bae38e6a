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

/** Input fields that name one model's deployment, common to both actions. */
export const deploymentInput = {
  model: (z: Z) => z.string().min(1).describe('Registered model name'),
  registryId: (z: Z) =>
    z
      .string()
      .min(1)
      .optional()
      .describe('Model registry id, when the name exists in several'),
  cluster: (z: Z) =>
    z.string().min(1).describe('Cluster name, as in the kubernetes config'),
  namespace: (z: Z) =>
    z.string().min(1).describe('Namespace of the deployment'),
  expectedResourceVersion: (z: Z) =>
    z
      .string()
      .min(1)
      .optional()
      .describe(
        'resourceVersion of the routing object the change was decided on; refused with a conflict if it changed since',
      ),
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
