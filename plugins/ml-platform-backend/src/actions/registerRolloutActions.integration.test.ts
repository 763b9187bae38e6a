import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { claimingEntity, testOwnership } from '../__testUtils__/modelClaims';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { testModelRegistry } from '../services/Rollouts/__testUtils__/testModelRegistry';
import { useRolloutEngineTestBed } from '../services/Rollouts/__testUtils__/rolloutEngineTestBed';
import { registerRolloutActions } from './registerRolloutActions';

jest.setTimeout(120_000);

const REGISTRY = 'test-registry';
const MODEL = 'svc-actions';
const JANE = 'user:default/jane';
const BOB = 'user:default/bob';
const ENTITY_REF = 'component:default/svc-actions-scorer';

const registry = testModelRegistry({
  id: REGISTRY,
  models: [MODEL],
  versions: ['5', '6'],
});

const bed = useRolloutEngineTestBed({ registry });
const actions = actionsRegistryServiceMock();

beforeAll(async () => {
  await bed.routedModel(MODEL, { '5': 100, '6': 0 });
  const rollouts = await bed.rolloutService(new ConfigReader({}));

  // The demo policy's rule: only the entity's owner, Jane, may roll out.
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) =>
      requests.map(r => ({
        result:
          !isResourcePermission(r.permission) ||
          ((credentials.principal as { userEntityRef?: string })
            .userEntityRef === JANE &&
            (r as { resourceRef?: string }).resourceRef === ENTITY_REF)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      })),
  });
  const catalog = catalogServiceMock({
    entities: [
      claimingEntity({
        name: 'svc-actions-scorer',
        annotation: `${REGISTRY}/${MODEL}`,
        owner: JANE,
      }),
    ],
  });

  registerRolloutActions({
    actionsRegistry: actions,
    rollouts,
    audit: bed.audit,
    ownership: testOwnership(catalog),
    modelCatalog: bed.catalog,
    permissions,
    logger: mockServices.logger.mock(),
  });
});

describe('rollout actions on the local apiserver', () => {
  it('refuses a non-owner without touching the route, then applies for the owner; both are in the trail', async () => {
    const input = {
      model: MODEL,
      cluster: 'local',
      namespace: bed.ns,
      strategy: 'canary',
      target: { version: '6', percent: 20 },
    };

    await expect(
      actions.invoke({
        id: 'test:apply-model-rollout',
        input,
        credentials: mockCredentials.user(BOB),
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(await bed.routeWeights(MODEL)).toEqual([100, 0]);

    const { output } = await actions.invoke({
      id: 'test:apply-model-rollout',
      input,
      credentials: mockCredentials.user(JANE),
    });
    expect(await bed.routeWeights(MODEL)).toEqual([80, 20]);
    expect(output).toMatchObject({
      router: { kind: 'HTTPRoute', name: MODEL },
      after: {
        versions: [
          { version: '5', weight: 80, percent: 80 },
          { version: '6', weight: 20, percent: 20 },
        ],
      },
    });

    const { output: page } = await actions.invoke({
      id: 'test:list-model-rollouts',
      input: { model: MODEL, namespace: bed.ns },
      credentials: mockCredentials.user(JANE),
    });
    expect(
      (page as any).items.map((r: any) => [r.actor, r.result, r.registryId]),
    ).toEqual([
      [JANE, 'succeeded', REGISTRY],
      [BOB, 'refused', REGISTRY],
    ]);
  });
});
