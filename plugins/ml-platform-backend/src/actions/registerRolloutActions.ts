import type {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deploymentRequestFields,
  mlPlatformAuditReadPermission,
  parseRolloutRequest,
  rolloutRequestSchema,
} from '@mlplatform/plugin-ml-platform-common';
import { MAX_AUDIT_PAGE, type RolloutAuditStore } from '../services/Audit';
import {
  RolloutConflictError,
  type RolloutService,
} from '../services/Rollouts';
import { actorOf } from '../services/Rollouts/actorOf';
import { authorizeRolloutRequest } from '../services/Rollouts/authorizeRolloutRequest';
import type { RolloutCatalog } from '../services/Rollouts/types';
import type { ModelOwnership } from '../services/ModelOwnership';
import { auditPageSchema, rolloutResultSchema } from './rolloutActionSchemas';

/** The conflict's message with the split as it is now, to decide again. */
function describeConflict(error: RolloutConflictError): string {
  const current = error.current?.versions
    .map(v => `version ${v.version} ${v.percent}%`)
    .join(', ');
  return [
    /[.!?]$/.test(error.message) ? error.message : `${error.message}.`,
    current && `Current split: ${current}.`,
    error.resourceVersion &&
      `Pass expectedResourceVersion ${error.resourceVersion} to apply against it.`,
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Registers the rollout actions of the ML Platform in the Backstage actions
 * registry, for automation and AI agents. They go through the same checks as
 * the HTTP routes: the rollout permission on the model's catalog entity for
 * the caller's credentials (a denial is audited as `refused` and changes
 * nothing), and the audit-read permission for the history.
 */
export function registerRolloutActions(options: {
  actionsRegistry: ActionsRegistryService;
  rollouts: RolloutService;
  audit: RolloutAuditStore;
  /** Finds the model's catalog entities for the permission check. */
  ownership: ModelOwnership;
  /** Resolves the model's registry, as the HTTP route does. */
  modelCatalog: RolloutCatalog;
  permissions: PermissionsService;
  logger: LoggerService;
}): void {
  const {
    actionsRegistry,
    rollouts,
    audit,
    ownership,
    modelCatalog,
    permissions,
    logger,
  } = options;

  actionsRegistry.register({
    name: 'apply-model-rollout',
    title: 'Change the traffic of a model deployment',
    description: `Changes which versions of a registered model serve traffic in one cluster and namespace, in one write guarded by the routing object's resourceVersion, and records it in the audit trail.
Strategies: "split" sets exact weights per version (A/B/n, versions left out get 0); "canary" gives target.version target.percent % and the others the rest in their current proportions; "promote" gives target.version all traffic and moves the serving alias; "rollback" restores the split from before the latest succeeded rollout; "abort" and "retry" are an Argo Rollout's own.
Fails without changing anything when the caller may not change the model's traffic, a version is unknown or unsafe, the object is managed by GitOps, or the object changed since expectedResourceVersion (the error gives the current split).`,
    attributes: { destructive: true, readOnly: false, idempotent: false },
    schema: {
      input: () => rolloutRequestSchema,
      output: rolloutResultSchema,
    },
    action: async ({ input, credentials, logger: actionLogger }) => {
      const actor = actorOf(credentials);
      const { request, details } = await authorizeRolloutRequest({
        request: parseRolloutRequest(input),
        credentials,
        permissions,
        ownership,
        modelCatalog,
        rollouts,
      });
      try {
        const result = await rollouts.apply(request, actor, details);
        actionLogger.info(
          `Rollout ${result.auditId} of ${request.model} in ${request.cluster}/${request.namespace} by ${actor}`,
        );
        return { output: result };
      } catch (error) {
        if (error instanceof RolloutConflictError) {
          throw new RolloutConflictError(
            describeConflict(error),
            error.current,
            error.resourceVersion,
          );
        }
        throw error;
      }
    },
  });

  actionsRegistry.register({
    name: 'list-model-rollouts',
    title: 'List the rollouts of a model',
    description:
      'The audit trail of traffic changes of a registered model, newest first: who, when, cluster and namespace, strategy, the split before and after, the result and error, and any registry alias moved. Pass nextCursor as before to read older entries.',
    attributes: { destructive: false, readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          model: deploymentRequestFields.model,
          registryId: deploymentRequestFields.registryId,
          cluster: deploymentRequestFields.cluster.optional(),
          namespace: deploymentRequestFields.namespace.optional(),
          limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).default(20),
          before: z
            .string()
            .min(1)
            .optional()
            .describe('nextCursor of the previous page'),
        }),
      output: auditPageSchema,
    },
    action: async ({ input, credentials }) => {
      const [decision] = await permissions.authorize(
        [{ permission: mlPlatformAuditReadPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `Not allowed to read the rollout audit trail: permission ${mlPlatformAuditReadPermission.name} denied`,
        );
      }
      return { output: await audit.list(input) };
    },
  });

  logger.info('Registered actions apply-model-rollout and list-model-rollouts');
}
