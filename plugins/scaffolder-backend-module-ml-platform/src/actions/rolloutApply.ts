import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { examples } from './rolloutApply.examples';
import { changeInput, deploymentInput, rolloutOutput } from './rolloutSchemas';
import { runRollout } from './runRollout';

/**
 * Creates the `ml-platform:rollout:apply` action: changes the traffic of a
 * model's deployment through the ML Platform backend, as the user who
 * started the task.
 * @public
 */
export function createRolloutApplyAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: 'ml-platform:rollout:apply',
    description:
      'Changes which versions of a registered model serve traffic in one cluster and namespace (split, canary, promote, rollback, abort, retry), with the permissions of the user who runs the template. Refused without any change when the user may not, a version is unknown or unsafe, the object is managed by GitOps, or it changed since expectedResourceVersion (the error gives the current split).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...deploymentInput,
        ...changeInput,
        target: z =>
          z
            .object({
              version: z.union([z.string().min(1), z.number().int()]),
              percent: z.number().int().min(0).max(100).optional(),
            })
            .optional()
            .describe('For canary (version and percent) and promote (version)'),
      },
      output: rolloutOutput,
    },
    async handler(ctx) {
      const { target, ...rest } = ctx.input;
      await runRollout(
        ctx,
        {
          ...rest,
          ...(target && {
            target: {
              version: String(target.version),
              ...(target.percent !== undefined && { percent: target.percent }),
            },
          }),
        },
        options,
      );
    },
  });
}
