import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type {
  ModelDetailsResponse,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import { actorOf } from './actorOf';
import type { ModelOwnership } from '../ModelOwnership';
import { authorizeRollout } from './authorizeRollout';
import type { RolloutCatalog, RolloutService } from './types';

/**
 * Everything that must pass before a rollout request reaches
 * {@link RolloutService.apply}, for every way in (HTTP route, actions
 * registry): the model is resolved to its registry, then the caller needs
 * the rollout permission on the model's catalog entities
 * ({@link authorizeRollout}). A refusal is
 * recorded in the audit trail and changes nothing. Resolves with the request
 * naming the model's registry and the model as it was resolved, which
 * {@link RolloutService.apply} takes so that a rollout resolves its model
 * once.
 */
export async function authorizeRolloutRequest(options: {
  request: RolloutRequest;
  credentials: BackstageCredentials;
  permissions: PermissionsService;
  ownership: ModelOwnership;
  modelCatalog: RolloutCatalog;
  rollouts: RolloutService;
}): Promise<AuthorizedRollout> {
  const { request, credentials, modelCatalog, rollouts } = options;
  // NotFoundError for an unknown model, InputError for a name that several
  // registries have: no model to record the attempt against yet.
  const details = await modelCatalog.getModel(
    request.model,
    request.registryId,
  );
  const { model } = details;
  const resolved = { ...request, registryId: model.registryId };
  try {
    await authorizeRollout({
      ...options,
      model: resolved.model,
      registryId: model.registryId,
    });
  } catch (error) {
    if (NotAllowedError.is(error)) {
      await rollouts.recordRefused(
        resolved,
        actorOf(credentials),
        error.message,
      );
    }
    throw error;
  }
  return { request: resolved, details };
}

/** A rollout request that passed {@link authorizeRolloutRequest}. */
export interface AuthorizedRollout {
  request: RolloutRequest & { registryId: string };
  /** The model the request names, as the permission check resolved it. */
  details: ModelDetailsResponse;
}
