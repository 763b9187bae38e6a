import { mockCredentials } from '@backstage/backend-test-utils';
import { checkOwner } from './checkOwner';
import { asUser, demoOwnerServices } from './__testUtils__/demoOrg';

describe('checkOwner', () => {
  const services = demoOwnerServices();

  it.each([
    ['group:default/fraud-ml', 'group:default/fraud-ml'],
    ['fraud-ml', 'group:default/fraud-ml'],
    ['Group:default/Fraud-ML', 'group:default/fraud-ml'],
    ['user:default/fatima', 'user:default/fatima'],
  ])(
    "lets a member choose their own group or themselves: '%s'",
    async (owner, ref) => {
      await expect(
        checkOwner(services, asUser('fatima'), owner),
      ).resolves.toMatchObject({ ref });
    },
  );

  it("refuses another team's group, naming the user's own", async () => {
    const attempt = checkOwner(
      services,
      asUser('fatima'),
      'group:default/recsys-ml',
    );
    await expect(attempt).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(attempt).rejects.toThrow(
      'user:default/fatima may not create a service owned by group:default/recsys-ml: it is not one of their groups (group:default/fraud-ml). Choose a group you are a member of; only those the permission policy grants ml-platform.scaffolder.any-owner may choose any owner.',
    );
  });

  it('refuses another user as owner', async () => {
    await expect(
      checkOwner(services, asUser('fatima'), 'user:default/ren'),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('lets the platform team choose any owner', async () => {
    await expect(
      checkOwner(services, asUser('ada'), 'group:default/recsys-ml'),
    ).resolves.toEqual({ ref: 'group:default/recsys-ml', name: 'recsys-ml' });
  });

  it.each([
    [
      'group:default/nobody',
      'owner group:default/nobody is not in the catalog',
    ],
    [
      'component:default/x',
      "owner 'component:default/x' is a component; a service is owned by a group or a user",
    ],
    [
      'group:default/fraud-ml\n---',
      "owner 'group:default/fraud-ml\n---' is not an entity reference: 'fraud-ml\n---' is no valid entity name",
    ],
    ['a:b:c', /^owner 'a:b:c' is not an entity reference/],
  ])('refuses %j as input', async (owner, message) => {
    const attempt = checkOwner(services, asUser('ada'), owner);
    await expect(attempt).rejects.toMatchObject({ name: 'InputError' });
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a service principal', async () => {
    await expect(
      checkOwner(services, mockCredentials.service(), 'fraud-ml'),
    ).rejects.toThrow(
      'Only a signed-in user may create a service for group:default/fraud-ml',
    );
  });
});
