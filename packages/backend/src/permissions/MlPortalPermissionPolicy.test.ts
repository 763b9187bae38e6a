import { mockCredentials } from '@backstage/backend-test-utils';
import type { UserInfoService } from '@backstage/backend-plugin-api';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  mlPlatformModelReadPermission,
  mlPlatformRolloutPermission,
} from '@mlplatform/plugin-ml-platform-common';
import {
  MlPortalPermissionPolicy,
  PLATFORM_ADMIN_GROUP,
} from './MlPortalPermissionPolicy';

/** A user of these groups, as sign-in resolved them from the catalog. */
const userOf = (...groups: string[]) => {
  const userEntityRef = 'user:default/someone';
  const userInfo: UserInfoService = {
    getUserInfo: async () => ({
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, ...groups],
    }),
  };
  const user = {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] },
  };
  return { policy: new MlPortalPermissionPolicy(userInfo), user };
};

describe('MlPortalPermissionPolicy', () => {
  it('denies the Kubernetes proxy to everyone but the platform team', async () => {
    const owner = userOf('group:default/fraud-ml');
    const admin = userOf(PLATFORM_ADMIN_GROUP);
    const query = { permission: kubernetesProxyPermission };
    expect(await owner.policy.handle(query, owner.user)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await admin.policy.handle(query, admin.user)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('gives nothing to a caller without credentials', async () => {
    const { policy } = userOf();
    for (const permission of [
      mlPlatformModelReadPermission,
      mlPlatformRolloutPermission,
      kubernetesProxyPermission,
    ]) {
      expect(await policy.handle({ permission })).toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it("lets a model's owners change its traffic, by the entity's owner", async () => {
    const { policy, user } = userOf('group:default/fraud-ml');
    expect(
      await policy.handle({ permission: mlPlatformRolloutPermission }, user),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/someone', 'group:default/fraud-ml'],
        },
      },
    });
  });

  it('lets everyone signed in read, and nobody but the platform team delete', async () => {
    const { policy, user } = userOf('group:default/fraud-ml');
    expect(
      await policy.handle({ permission: mlPlatformModelReadPermission }, user),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle({ permission: catalogEntityDeletePermission }, user),
    ).toEqual({ result: AuthorizeResult.DENY });
  });
});
