import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  UNTRUSTED_ORIGIN,
  claimingEntity,
  testOwnership,
} from '../../__testUtils__/modelClaims';
import { authorizeRollout } from './authorizeRollout';

const credentials = mockCredentials.user('user:default/jane');

/**
 * Allows the rollout permission on the given entity refs only; without a
 * resource, ALLOW when `unconditional` (the platform team), else the
 * policy's conditional answer.
 */
function permissionsAllowing(allowed: string[], unconditional = false) {
  return mockServices.permissions.mock({
    authorize: jest.fn(async requests =>
      requests.map(r => ({
        result: allowed.includes((r as { resourceRef: string }).resourceRef)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
    ),
    authorizeConditional: jest.fn(async requests =>
      requests.map(() =>
        unconditional
          ? { result: AuthorizeResult.ALLOW }
          : {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: {
                rule: 'IS_ENTITY_OWNER',
                resourceType: 'catalog-entity',
                params: { claims: ['user:default/jane'] },
              },
            },
      ),
    ),
  });
}

/** Jane's rollout of mlflow/fraud-detector over these catalog entities. */
const authorizeFraudDetector = (options: {
  entities: Entity[];
  allowed?: string[];
  unconditional?: boolean;
}) =>
  authorizeRollout({
    permissions: permissionsAllowing(
      options.allowed ?? [],
      options.unconditional,
    ),
    ownership: testOwnership(
      catalogServiceMock({ entities: options.entities }),
    ),
    credentials,
    model: 'fraud-detector',
    registryId: 'mlflow',
  });

describe('authorizeRollout', () => {
  it('needs the permission on every trusted entity that claims the model, bare or registry-qualified', async () => {
    const entities = [
      claimingEntity({ name: 'janes', annotation: 'fraud-detector' }),
      claimingEntity({
        kind: 'Resource',
        name: 'someone-elses',
        annotation: 'mlflow/fraud-detector',
      }),
      claimingEntity({
        name: 'other-registry',
        annotation: 'eu/fraud-detector',
      }),
      claimingEntity({ name: 'other-model', annotation: 'mlflow/churn' }),
    ];
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['component:default/janes'],
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        "Not allowed to change the traffic of model 'fraud-detector' of registry 'mlflow': permission ml-platform.rollout.execute denied on resource:default/someone-elses",
    });
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['component:default/janes', 'resource:default/someone-elses'],
      }),
    ).resolves.toEqual({
      entityRefs: ['component:default/janes', 'resource:default/someone-elses'],
    });
  });

  it('ignores a claim from a location anyone may register: it neither grants nor blocks', async () => {
    const entities = [
      claimingEntity({ name: 'real', annotation: 'fraud-detector' }),
      claimingEntity({
        name: 'claim',
        annotation: 'mlflow/fraud-detector',
        origin: UNTRUSTED_ORIGIN,
      }),
    ];
    // Jane owns only the claim she registered herself.
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['component:default/claim'],
      }),
    ).rejects.toThrow(/denied on component:default\/real$/);
    await expect(
      authorizeFraudDetector({ entities, allowed: ['component:default/real'] }),
    ).resolves.toEqual({ entityRefs: ['component:default/real'] });
  });

  it('lets only an unconditional allow act on a model no trusted entity claims, and names the ignored claims', async () => {
    const entities = [
      claimingEntity({
        name: 'claim',
        annotation: 'fraud-detector',
        origin: UNTRUSTED_ORIGIN,
      }),
    ];
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['component:default/claim'],
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: `Not allowed to change the traffic of model 'fraud-detector' of registry 'mlflow': no catalog entity from a trusted location claims it with the ml-platform.io/registered-model annotation (ignored, from locations not in mlPlatform.ownership.trustedLocations: component:default/claim (from ${UNTRUSTED_ORIGIN})); only a caller the permission policy allows it on every model may`,
    });
    await expect(
      authorizeFraudDetector({ entities, unconditional: true }),
    ).resolves.toEqual({ entityRefs: [] });
    await expect(
      authorizeFraudDetector({ entities: [], unconditional: true }),
    ).resolves.toEqual({ entityRefs: [] });
  });

  it("trusts the catalog module's ml-model Resources", async () => {
    await expect(
      authorizeFraudDetector({
        entities: [
          claimingEntity({
            kind: 'Resource',
            name: 'fraud-detector',
            annotation: 'mlflow/fraud-detector',
            origin: 'ml-platform:mlflow/fraud-detector',
          }),
        ],
        allowed: ['resource:default/fraud-detector'],
      }),
    ).resolves.toEqual({ entityRefs: ['resource:default/fraud-detector'] });
  });

  it("lets the owner act while the catalog module's stand-in Resource for the model is still there", async () => {
    // Right after a start the module may not yet have seen the team's
    // component and still emits its Resource (owned by the platform team).
    const entities = [
      claimingEntity({ name: 'janes', annotation: 'fraud-detector' }),
      claimingEntity({
        kind: 'Resource',
        name: 'fraud-detector',
        annotation: 'mlflow/fraud-detector',
        origin: 'ml-platform:mlflow/fraud-detector',
        owner: 'group:default/platform',
      }),
    ];
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['component:default/janes'],
      }),
    ).resolves.toEqual({ entityRefs: ['component:default/janes'] });
    await expect(
      authorizeFraudDetector({
        entities,
        allowed: ['resource:default/fraud-detector'],
      }),
    ).rejects.toThrow(/denied on component:default\/janes$/);
  });
});
