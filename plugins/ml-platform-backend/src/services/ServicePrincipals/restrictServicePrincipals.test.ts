import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  mlPlatformAuditReadPermission,
  mlPlatformModelReadPermission,
  mlPlatformRolloutPermission,
} from '@mlplatform/plugin-ml-platform-common';
import { readServicePrincipals } from './readServicePrincipals';
import { restrictServicePrincipals } from './restrictServicePrincipals';

// What Backstage decides for a service principal without access
// restrictions: everything.
const allowAll = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorizeConditional: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
});

const permissions = restrictServicePrincipals(
  allowAll,
  readServicePrincipals(
    new ConfigReader({
      mlPlatform: {
        servicePrincipals: [
          {
            subject: 'platform-automation',
            permissions: [
              'ml-platform.model.read',
              'ml-platform.rollout.execute',
            ],
          },
        ],
      },
    }),
  ),
  mockServices.logger.mock(),
);

const decide = async (
  credentials: ReturnType<typeof mockCredentials.service>,
  permission:
    | typeof mlPlatformModelReadPermission
    | typeof mlPlatformAuditReadPermission,
) => (await permissions.authorize([{ permission }], { credentials }))[0].result;

describe('restrictServicePrincipals', () => {
  it('gives a named service only what it is granted, and other services nothing', async () => {
    const automation = mockCredentials.service('platform-automation');
    expect(await decide(automation, mlPlatformModelReadPermission)).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide(automation, mlPlatformAuditReadPermission)).toBe(
      AuthorizeResult.DENY,
    );
    const [rollout] = await permissions.authorize(
      [
        {
          permission: mlPlatformRolloutPermission,
          resourceRef: 'component:default/x',
        },
      ],
      { credentials: automation },
    );
    expect(rollout.result).toBe(AuthorizeResult.ALLOW);

    const other = mockCredentials.service('other-token');
    expect(await decide(other, mlPlatformModelReadPermission)).toBe(
      AuthorizeResult.DENY,
    );
    const [conditional] = await permissions.authorizeConditional(
      [{ permission: mlPlatformRolloutPermission }],
      { credentials: mockCredentials.service('plugin:scaffolder') },
    );
    expect(conditional.result).toBe(AuthorizeResult.DENY);
  });

  it.each([
    ['catalog', 'its entity provider'],
    ['search', 'its collator'],
  ])(
    'lets the %s plugin read the model list, for %s, and nothing else',
    async plugin => {
      const service = mockCredentials.service(`plugin:${plugin}`);
      expect(await decide(service, mlPlatformModelReadPermission)).toBe(
        AuthorizeResult.ALLOW,
      );
      expect(await decide(service, mlPlatformAuditReadPermission)).toBe(
        AuthorizeResult.DENY,
      );
    },
  );

  it("leaves users to the policy's decision", async () => {
    expect(
      await decide(
        mockCredentials.user('user:default/jane') as any,
        mlPlatformAuditReadPermission,
      ),
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('refuses to start with a permission it does not know', () => {
    expect(() =>
      readServicePrincipals(
        new ConfigReader({
          mlPlatform: {
            servicePrincipals: [
              { subject: 'x', permissions: ['ml-platform.rollout'] },
            ],
          },
        }),
      ),
    ).toThrow(
      "mlPlatform.servicePrincipals 'x': unknown permission 'ml-platform.rollout'",
    );
  });
});
