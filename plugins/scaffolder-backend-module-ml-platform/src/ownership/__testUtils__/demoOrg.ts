import type { Entity } from '@backstage/catalog-model';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
  relations: memberOf.map(g => ({
    type: 'memberOf',
    targetRef: `group:default/${g}`,
  })),
});

/** The demo organisation of catalog/org.yaml, as the catalog answers it. */
const DEMO_ORG: Entity[] = [
  group('ml-platform'),
  group('fraud-ml'),
  group('recsys-ml'),
  user('ada', ['ml-platform']),
  user('fatima', ['fraud-ml']),
  user('ren', ['recsys-ml']),
];

/** The platform team's member; the demo policy grants them any owner. */
const PLATFORM_MEMBER = 'user:default/ada';

/**
 * The services the ownership check needs, over the demo organisation; the
 * permission policy allows `ml-platform.scaffolder.any-owner` to
 * PLATFORM_MEMBER only, as the demo's policy does.
 */
export function demoOwnerServices() {
  return {
    auth: mockServices.auth(),
    catalog: catalogServiceMock({ entities: DEMO_ORG }),
    permissions: mockServices.permissions.mock({
      authorize: async (requests, options) =>
        requests.map(() => ({
          result:
            (options.credentials.principal as { userEntityRef?: string })
              .userEntityRef === PLATFORM_MEMBER
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        })),
    }),
  };
}

/** The credentials of a demo user, by name. */
export const asUser = (name: string) =>
  mockCredentials.user(`user:default/${name}`);
