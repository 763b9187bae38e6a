import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  mlPlatformAnyOwnerPermission,
  mlPlatformRolloutPermission,
} from '@mlplatform/plugin-ml-platform-common';

/** Members of this group administer the portal and every model. */
export const PLATFORM_ADMIN_GROUP = 'group:default/ml-platform';

/**
 * The portal's policy: the platform team may do anything; a model's owners
 * may change its traffic and update its entities; everyone signed in may
 * read, and scaffold for their own groups; nobody else deletes from the
 * catalog or uses the Kubernetes proxy; anonymous callers get nothing.
 *
 * Service principals never reach a policy: Backstage decides their requests
 * from the `accessRestrictions` of their `backend.auth.externalAccess` entry,
 * and the ML Platform backend lets only the service subjects named in
 * `mlPlatform.servicePrincipals` act (docs/security.md).
 */
export class MlPortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      // A caller without credentials, on a route that lets such callers in
      // and then asks for a permission.
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    if (ownershipEntityRefs.includes(PLATFORM_ADMIN_GROUP)) {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    const { action } = permission.attributes;
    // Without a Kubernetes token of the caller's own, the proxy forwards a
    // request with the portal's cluster credentials: a PATCH through it would
    // step around the owner check, the safety and GitOps gates and the audit
    // trail of rollouts. Its permission has no resource to decide by, so it
    // is the platform team's alone.
    if (isPermission(permission, kubernetesProxyPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    if (action === 'delete') {
      return { result: AuthorizeResult.DENY };
    }
    // Changing a model's traffic, or an entity, is for the entity's owners.
    if (
      isResourcePermission(permission, 'catalog-entity') &&
      (isPermission(permission, mlPlatformRolloutPermission) ||
        action === 'update')
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    // A new service for a group other than one's own is the platform
    // team's to create.
    if (isPermission(permission, mlPlatformAnyOwnerPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
