import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { examples } from './rolloutRollback.examples';
import { deploymentInput, rolloutOutput } from './rolloutSchemas';
import { runRollout } from './runRollout';

/**
 * Creates the `ml-platform:rollout:rollback` action: restores the split a
 * model's deployment had before its latest succeeded rollout (and the
 * serving alias with it), as the user who started the task.
 * @public
 */
export function createRolloutRollbackAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}) {
  return createTemplateAction({
    id: 'ml-platform:rollout:rollback',
    description:
      "Rolls a model's deployment in one cluster and namespace back to the split recorded before its latest succeeded rollout, with the permissions of the user who runs the template.",
    examples,
    supportsDryRun: true,
    schema: {
      input: deploymentInput,
      output: rolloutOutput,
    },
    async handler(ctx) {
      await runRollout(ctx, { ...ctx.input, strategy: 'rollback' }, options);
    },
  });
}
