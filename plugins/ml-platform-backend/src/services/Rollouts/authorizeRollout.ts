import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ML_PLATFORM_ANNOTATIONS,
  mlPlatformRolloutPermission,
} from '@mlplatform/plugin-ml-platform-common';
import type { ModelClaim, ModelOwnership } from '../ModelOwnership';

const describeClaims = (claims: ModelClaim[]) =>
  claims.map(c => `${c.entityRef} (from ${c.originLocation || 'no location'})`);

/**
 * Decides whether the caller may change the traffic of a model: the
 * resource permission `ml-platform.rollout.execute` on every catalog entity
 * that claims the model (names it with the `ml-platform.io/registered-model`
 * annotation) from a trusted location, all of which must allow. The backend
 * finds the entities itself, so a client cannot point the check at an entity
 * it owns; a claim from a location anyone may register is ignored, so that
 * registering one widens nothing; and since every trusted claim must allow,
 * a second one can only narrow who may act, whichever of bare name or
 * `<registry>/<model>` it uses.
 *
 * A model no trusted entity claims may be changed only by those the policy
 * allows the permission regardless of the entity (the platform team).
 * Rejects with NotAllowedError, naming the entities that denied or, without
 * any trusted claim, the untrusted ones.
 */
export async function authorizeRollout(options: {
  permissions: PermissionsService;
  ownership: ModelOwnership;
  credentials: BackstageCredentials;
  model: string;
  registryId: string;
}): Promise<{ entityRefs: string[] }> {
  const { permissions, ownership, credentials, model, registryId } = options;
  const { trusted, untrusted } = await ownership.claimsOf(model, registryId);
  const what = `change the traffic of model '${model}' of registry '${registryId}'`;

  if (trusted.length === 0) {
    const [decision] = await permissions.authorizeConditional(
      [{ permission: mlPlatformRolloutPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) return { entityRefs: [] };
    throw new NotAllowedError(
      `Not allowed to ${what}: no catalog entity from a trusted location claims it with the ${
        ML_PLATFORM_ANNOTATIONS.registeredModel
      } annotation${
        untrusted.length
          ? ` (ignored, from locations not in mlPlatform.ownership.trustedLocations: ${describeClaims(
              untrusted,
            ).join(', ')})`
          : ''
      }; only a caller the permission policy allows it on every model may`,
    );
  }

  const refs = trusted.map(c => c.entityRef);
  const decisions = await permissions.authorize(
    refs.map(resourceRef => ({
      permission: mlPlatformRolloutPermission,
      resourceRef,
    })),
    { credentials },
  );
  const denied = refs.filter(
    (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
  );
  if (denied.length > 0) {
    throw new NotAllowedError(
      `Not allowed to ${what}: permission ${
        mlPlatformRolloutPermission.name
      } denied on ${denied.join(', ')}`,
    );
  }
  return { entityRefs: refs };
}
