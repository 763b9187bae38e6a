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
import { mlPlatformRolloutPermission } from '@mlplatform/plugin-ml-platform-common';

/** Members of this group administer the portal and every model. */
export const PLATFORM_ADMIN_GROUP = 'group:default/ml-platform';

/**
 * The portal's policy: everyone may read and scaffold; the platform team may
 * do anything; a model's owners may change its traffic; only the platform team
 * deletes from the catalog.
 */
export class MlPortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      // Requests on behalf of backend services, not people.
      return { result: AuthorizeResult.ALLOW };
    }
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    if (ownershipEntityRefs.includes(PLATFORM_ADMIN_GROUP)) {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    const { action } = permission.attributes;
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
    return { result: AuthorizeResult.ALLOW };
  }
}
