import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlPlatformAnyOwnerPermission } from '@mlplatform/plugin-ml-platform-common';
import { MlPortalPermissionPolicy } from './MlPortalPermissionPolicy';

// Who may scaffold a service for a group that is not their own.
describe('MlPortalPermissionPolicy and ml-platform.scaffolder.any-owner', () => {
  const decide = async (
    userEntityRef: string,
    ownershipEntityRefs: string[],
  ) => {
    const policy = new MlPortalPermissionPolicy(
      mockServices.userInfo.mock({
        getUserInfo: async () => ({ userEntityRef, ownershipEntityRefs }),
      }),
    );
    return policy.handle({ permission: mlPlatformAnyOwnerPermission }, {
      credentials: mockCredentials.user(userEntityRef),
      info: { userEntityRef, ownershipEntityRefs },
    } as any);
  };

  it('grants it to the platform team', async () => {
    await expect(
      decide('user:default/ada', [
        'user:default/ada',
        'group:default/ml-platform',
      ]),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies it to a model team', async () => {
    await expect(
      decide('user:default/fatima', [
        'user:default/fatima',
        'group:default/fraud-ml',
      ]),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
