import type { z as zod } from 'zod/v3';

const split = (z: typeof zod) =>
  z.object({
    versions: z.array(
      z.object({
        version: z.string(),
        weight: z.number(),
        percent: z.number(),
      }),
    ),
  });

const aliasChange = (z: typeof zod) =>
  z.object({
    alias: z.string(),
    from: z.string().optional(),
    to: z.string().optional(),
  });

/** Output of `apply-model-rollout`: a RolloutResult. */
export const rolloutResultSchema = (z: typeof zod) =>
  z.object({
    auditId: z.string(),
    router: z.object({
      apiVersion: z.string(),
      kind: z.string(),
      name: z.string(),
    }),
    before: split(z),
    after: split(z),
    resourceVersion: z.string(),
    aliasChange: aliasChange(z)
      .optional()
      .describe('The serving alias moved by a promote or rollback'),
    aliasError: z
      .string()
      .optional()
      .describe('Why moving the alias failed; the traffic change stands'),
  });

/** Output of `list-model-rollouts`: a RolloutAuditPage. */
export const auditPageSchema = (z: typeof zod) =>
  z.object({
    items: z.array(
      z.object({
        id: z.string(),
        at: z.string(),
        actor: z.string(),
        model: z.string(),
        registryId: z.string().optional(),
        cluster: z.string(),
        namespace: z.string(),
        router: z.object({ kind: z.string(), name: z.string() }).optional(),
        strategy: z.string(),
        before: split(z).optional(),
        after: split(z).optional(),
        result: z.enum(['succeeded', 'failed', 'conflict', 'refused']),
        error: z.string().optional(),
        aliasChange: aliasChange(z).optional(),
      }),
    ),
    nextCursor: z.string().optional(),
  });
