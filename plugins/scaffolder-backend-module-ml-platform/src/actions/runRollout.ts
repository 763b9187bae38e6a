import { createHash } from 'node:crypto';
import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject } from '@backstage/types';
import {
  parseRolloutRequest,
  type RolloutRequest,
  type RolloutResult,
} from '@mlplatform/plugin-ml-platform-common';
import { describeSplit, postRollout } from './rolloutsApiClient';

/**
 * Checks and sends one rollout for a scaffolder action, then outputs what it
 * changed. A dry run stops after the checks and outputs only the request it
 * would send.
 */
export async function runRollout(
  ctx: ActionContext<any, any>,
  input: RolloutRequest,
  services: { discovery: DiscoveryService; auth: AuthService },
): Promise<void> {
  // The backend's own validation, so a dry run reports what it would refuse.
  const request = parseRolloutRequest(input);
  const where = `model '${request.model}' in ${request.cluster}/${request.namespace}`;
  ctx.output('request', request);

  if (ctx.isDryRun) {
    ctx.logger.info(
      `Dry run: would send the ${
        request.strategy
      } rollout of ${where}: ${JSON.stringify(request)}`,
    );
    return;
  }

  // A resumed task must not apply the same change again: the checkpoint
  // keeps the first answer for this exact request.
  const key = `ml-platform-rollout-${createHash('sha256')
    .update(JSON.stringify(request))
    .digest('hex')
    .slice(0, 16)}`;
  const result = (await ctx.checkpoint({
    key,
    fn: async () =>
      (await postRollout({
        ...services,
        credentials: await ctx.getInitiatorCredentials(),
        request,
      })) as unknown as JsonObject,
  })) as unknown as RolloutResult;

  ctx.logger.info(
    `${request.strategy} of ${where} applied to ${result.router.kind} ${
      result.router.name
    }: ${describeSplit(result.before)} -> ${describeSplit(
      result.after,
    )} (audit ${result.auditId})`,
  );
  ctx.output('auditId', result.auditId);
  ctx.output('router', result.router);
  ctx.output('before', result.before);
  ctx.output('after', result.after);
  ctx.output('resourceVersion', result.resourceVersion);
}
