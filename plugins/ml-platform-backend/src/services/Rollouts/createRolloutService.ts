import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import { parseRolloutRequest } from '@mlplatform/plugin-ml-platform-common';
import type {
  ModelDetailsResponse,
  RolloutAuditRecord,
  RolloutRequest,
  RolloutSplit,
  TrafficRouterRef,
} from '@mlplatform/plugin-ml-platform-common';
import {
  KubeTimeoutError,
  KubeUnreachableError,
  type TrafficObjectRef,
  type TrafficRouter,
} from '@mlplatform/plugin-ml-platform-node';
import type { TrafficKinds } from '../TrafficKinds';
import type { NewRolloutAuditRecord, RolloutAuditStore } from '../Audit';
import { checkGitOps, checkKnownVersions, checkSafety } from './guards';
import { planChange } from './planChange';
import { readRolloutsConfig } from './readRolloutsConfig';
import { RolloutConflictError } from './RolloutConflictError';
import { toRolloutSplit } from './toRolloutSplit';
import type { AliasChange, ServingAliasMover } from './moveServingAlias';
import type { RolloutCatalog, RolloutService } from './types';

/** Errors that mean the request was refused before anything was sent. */
const REFUSALS = [InputError, NotFoundError, NotAllowedError];

function outcomeOf(error: unknown) {
  if (error instanceof ConflictError) return 'conflict' as const;
  return REFUSALS.some(E => error instanceof E)
    ? ('refused' as const)
    : ('failed' as const);
}

function messageOf(error: unknown): string {
  return isError(error) ? error.message : String(error);
}

/**
 * The rollout engine: validates a request against the model's versions and
 * the routing object as it is now, enforces the safety and GitOps gates, has
 * the object's traffic router apply it in one guarded write, and records
 * every attempt in the audit trail.
 */
export function createRolloutService(options: {
  kinds: TrafficKinds;
  catalog: RolloutCatalog;
  audit: RolloutAuditStore;
  config: Config;
  logger: LoggerService;
  /** Keeps the registry's serving alias in step with promotes and rollbacks. */
  servingAlias?: ServingAliasMover;
}): RolloutService {
  const { kinds, catalog, audit, logger, servingAlias } = options;
  const settings = readRolloutsConfig(options.config);

  const newEntry = (
    request: RolloutRequest,
    actor: string,
  ): NewRolloutAuditRecord => ({
    actor,
    model: request.model,
    ...(request.registryId && { registryId: request.registryId }),
    cluster: request.cluster,
    namespace: request.namespace,
    strategy: request.strategy,
    result: 'refused',
  });

  /**
   * The model's deployment in the request's cluster and namespace, its
   * routing object and the router that handles it; fills in the audit entry
   * as it learns them.
   */
  async function locate(
    request: RolloutRequest,
    entry: NewRolloutAuditRecord,
    resolved?: ModelDetailsResponse,
  ) {
    const details =
      resolved && sameModel(resolved, request)
        ? resolved
        : await catalog.getModel(request.model, request.registryId);
    entry.registryId = details.model.registryId;
    const deployment = details.deployments.find(
      d => d.cluster === request.cluster && d.namespace === request.namespace,
    );
    if (!deployment) {
      throw new NotFoundError(
        `Model '${request.model}' has no deployment in ${request.cluster}/${request.namespace}`,
      );
    }
    const routerRef = deployment.router;
    if (!routerRef) {
      throw new InputError(
        `The deployment of '${request.model}' in ${request.cluster}/${request.namespace} has no routing object that splits its traffic`,
      );
    }
    entry.router = { kind: routerRef.kind, name: routerRef.name };
    const objectRef: TrafficObjectRef = {
      cluster: request.cluster,
      namespace: request.namespace,
      apiVersion: routerRef.apiVersion,
      kind: routerRef.kind,
      name: routerRef.name,
    };
    return {
      details,
      routerRef,
      objectRef,
      router: kinds.routerFor(objectRef),
    };
  }

  return {
    async recordRefused(request, actor, reason, seen) {
      await audit.record({
        ...newEntry(request, actor),
        ...(seen && {
          router: { kind: seen.router.kind, name: seen.router.name },
          before: seen.split,
        }),
        error: reason,
      });
    },

    async current(request) {
      const { routerRef, objectRef, router } = await locate(
        request,
        newEntry(request, 'none'),
      );
      const split = await router.readSplit(objectRef, request.model);
      return {
        router: {
          apiVersion: routerRef.apiVersion,
          kind: routerRef.kind,
          name: routerRef.name,
        },
        split: toRolloutSplit(split.weights),
        resourceVersion: split.resourceVersion,
      };
    },

    async apply(request, actor, resolved) {
      const entry = newEntry(request, actor);
      let routerRef: TrafficRouterRef | undefined;
      let router: TrafficRouter | undefined;
      let objectRef: TrafficObjectRef | undefined;

      try {
        // Callers inside the backend (gradual rollouts, actions) reach the
        // service without the route: the same one validation, recorded.
        parseRolloutRequest(request);
        const located = await locate(request, entry, resolved);
        const { details } = located;
        ({ routerRef, objectRef, router } = located);
        const what = `${routerRef.kind} ${request.namespace}/${routerRef.name}`;

        // The object as it is now, not as the catalog's cache last saw it.
        const current = await router.readSplit(objectRef, request.model);
        entry.before = toRolloutSplit(current.weights);
        checkGitOps({
          managedBy: current.managedBy,
          cluster: request.cluster,
          what,
          allowed: settings.gitOpsWritableClusters,
        });

        let undone: RolloutAuditRecord | undefined;
        const plan = await planChange(request, current.weights, async () => {
          undone = await audit.latestSucceeded({
            model: request.model,
            cluster: request.cluster,
            namespace: request.namespace,
          });
          return undone;
        });
        if (plan.intended) entry.after = toRolloutSplit(plan.intended);
        checkKnownVersions(
          plan.field,
          plan.named,
          details.versions,
          request.model,
        );
        if (request.strategy !== 'abort') {
          checkSafety({
            current: current.weights,
            intended: plan.intended,
            versions: details.versions,
            model: request.model,
            target: { cluster: request.cluster, namespace: request.namespace },
            policy: settings.safetyPolicy,
          });
        }

        // Planned from the reading above: one read, one guarded write.
        const written = await current.apply(plan.change, {
          expectedResourceVersion: request.expectedResourceVersion,
        });
        const after = toRolloutSplit(written.weights);
        // The alias moves after the traffic write, never before: the write is
        // the guarded step that may meet a conflict, and moving the alias
        // first would need an undo that can fail in turn. A failed move leaves
        // the traffic changed and the alias where it was, and says so in the
        // response and the audit record; promoting again moves it.
        let aliasChange: AliasChange | undefined;
        let aliasError: string | undefined;
        if (servingAlias) {
          try {
            aliasChange = await servingAlias.move({
              request,
              registryId: details.model.registryId,
              undone,
            });
          } catch (e) {
            aliasError = `The traffic change stands, but moving the serving alias failed: ${messageOf(
              e,
            )}`;
            logger.warn(
              `Rollout ${request.strategy} of ${request.model}: ${aliasError}`,
            );
          }
        }
        const record = await audit.record({
          ...entry,
          after,
          result: 'succeeded',
          ...(aliasChange && { aliasChange }),
          ...(aliasError && { error: aliasError }),
        });
        logger.info(
          `Rollout ${request.strategy} of ${request.model} in ${
            request.cluster
          }/${what} by ${actor}: ${describe(entry.before)} -> ${describe(
            after,
          )}`,
        );
        return {
          auditId: record.id,
          router: {
            apiVersion: routerRef.apiVersion,
            kind: routerRef.kind,
            name: routerRef.name,
          },
          before: entry.before,
          after,
          resourceVersion: written.resourceVersion,
          ...(aliasChange && { aliasChange }),
          ...(aliasError && { aliasError }),
        };
      } catch (error) {
        const result = outcomeOf(error);
        let thrown = error;
        if (result === 'conflict' && router && objectRef) {
          // Give the caller the split as it is now, to decide again.
          const fresh = await router
            .readSplit(objectRef, request.model)
            .catch(() => undefined);
          thrown = new RolloutConflictError(
            messageOf(error),
            fresh && toRolloutSplit(fresh.weights),
            fresh?.resourceVersion,
          );
        } else if (
          error instanceof KubeUnreachableError ||
          error instanceof KubeTimeoutError
        ) {
          thrown = new ServiceUnavailableError(
            `Cluster '${request.cluster}' does not answer: ${messageOf(error)}`,
          );
        }
        await audit
          .record({ ...entry, result, error: messageOf(error) })
          .catch(e =>
            logger.error(
              `Recording a ${result} rollout of ${request.model} in the audit trail failed: ${e}`,
            ),
          );
        throw thrown;
      }
    },
  };
}

/** Whether `details` is the model the request names, in its registry. */
function sameModel(details: ModelDetailsResponse, request: RolloutRequest) {
  return (
    details.model.name === request.model &&
    (!request.registryId || details.model.registryId === request.registryId)
  );
}

function describe(split: RolloutSplit | undefined): string {
  return (split?.versions ?? [])
    .map(v => `${v.version}=${v.percent}%`)
    .join(' ');
}
