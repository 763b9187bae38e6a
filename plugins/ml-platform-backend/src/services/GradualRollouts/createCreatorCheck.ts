import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, ResponseError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  type ConditionalPolicyDecision,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { mlPlatformRolloutPermission } from '@mlplatform/plugin-ml-platform-common';
import type { ModelOwnership } from '../ModelOwnership';
import {
  serviceSubjectOf,
  type ServicePrincipalGrants,
} from '../ServicePrincipals';

/**
 * What the creator of a gradual rollout was allowed when they started it:
 * for a user, the permission policy's decision on the rollout permission
 * (unconditional, or the conditions it sets on the model's entities); for a
 * service, its subject.
 */
export type CreatorAuthorization =
  | { principal: 'user'; userEntityRef: string; decision: PolicyDecision }
  | { principal: 'service'; subject: string };

/**
 * Checks, at every step of a gradual rollout, that its creator may still
 * change the model's traffic. A step runs on the scheduler, with no request
 * and so no credentials of the creator: the policy's decision taken with
 * their credentials at the start is applied again to the model's trusted
 * entities as they are now (an entity whose owner changed stops the
 * rollout), the creator must still be in the catalog, and a service must
 * still be granted the permission.
 */
export interface CreatorCheck {
  /** The creator's standing at the start, kept with the gradual rollout. */
  capture(credentials: BackstageCredentials): Promise<CreatorAuthorization>;
  /** Rejects with NotAllowedError, saying why, when the creator may no longer act. */
  recheck(
    authorization: CreatorAuthorization | undefined,
    model: string,
    registryId: string,
  ): Promise<void>;
}

export function createCreatorCheck(options: {
  permissions: PermissionsService;
  grants: ServicePrincipalGrants;
  ownership: ModelOwnership;
  catalog: CatalogService;
  auth: AuthService;
  discovery: DiscoveryService;
}): CreatorCheck {
  const { permissions, grants, ownership, catalog, auth, discovery } = options;
  const permission = mlPlatformRolloutPermission.name;

  /** The catalog's answer to the policy's conditions on each entity: the permission framework's own endpoint. */
  async function applyConditions(
    decision: ConditionalPolicyDecision,
    resourceRefs: string[],
  ): Promise<AuthorizeResult[]> {
    const baseUrl = await discovery.getBaseUrl(decision.pluginId);
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: decision.pluginId,
    });
    const response = await fetch(
      `${baseUrl}/.well-known/backstage/permissions/apply-conditions`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          items: [
            {
              id: 'step',
              resourceRef: resourceRefs,
              resourceType: decision.resourceType,
              conditions: decision.conditions,
            },
          ],
        }),
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const { items } = (await response.json()) as {
      items: Array<{ id: string; result: AuthorizeResult[] }>;
    };
    return items[0].result;
  }

  return {
    async capture(credentials) {
      const subject = serviceSubjectOf(credentials);
      if (subject !== undefined) return { principal: 'service', subject };
      const userEntityRef = (
        credentials.principal as { userEntityRef?: string }
      ).userEntityRef;
      if (!userEntityRef) {
        throw new NotAllowedError('Only a user or a service may start one');
      }
      const [decision] = await permissions.authorizeConditional(
        [{ permission: mlPlatformRolloutPermission }],
        { credentials },
      );
      return { principal: 'user', userEntityRef, decision };
    },

    async recheck(authorization, model, registryId) {
      const refused = (why: string) =>
        new NotAllowedError(
          `The creator may no longer change the traffic of model '${model}': ${why}`,
        );
      if (!authorization) {
        throw refused(
          'the gradual rollout was started before steps checked it; start it again',
        );
      }
      if (authorization.principal === 'service') {
        if (!grants.get(authorization.subject)?.has(permission)) {
          throw refused(
            `service '${authorization.subject}' is no longer granted ${permission} in mlPlatform.servicePrincipals`,
          );
        }
        return;
      }

      const { userEntityRef, decision } = authorization;
      const user = await catalog.getEntityByRef(userEntityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      if (!user) throw refused(`${userEntityRef} is no longer in the catalog`);
      if (decision.result === AuthorizeResult.ALLOW) return;
      if (decision.result === AuthorizeResult.DENY) {
        throw refused(`the permission policy denied ${permission}`);
      }
      const { trusted } = await ownership.claimsOf(model, registryId);
      if (trusted.length === 0) {
        throw refused(
          'no catalog entity from a trusted location claims it any more',
        );
      }
      const refs = trusted.map(c => c.entityRef);
      const results = await applyConditions(
        decision as ConditionalPolicyDecision,
        refs,
      );
      const denied = refs.filter(
        (_, i) => results[i] !== AuthorizeResult.ALLOW,
      );
      if (denied.length > 0) {
        throw refused(
          `permission ${permission} denied on ${denied.join(', ')}`,
        );
      }
    },
  };
}
