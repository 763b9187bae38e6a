import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { authorizeRollout } from './authorizeRollout';

const entity = (kind: string, name: string, annotation: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'ml-platform.io/registered-model': annotation },
  },
  spec: {},
});

const credentials = mockCredentials.user('user:default/jane');

/** Allows the rollout permission on the given entity refs only. */
function permissionsAllowing(...allowed: string[]) {
  return mockServices.permissions.mock({
    authorize: jest.fn(async requests =>
      requests.map(r => ({
        result: allowed.includes((r as { resourceRef: string }).resourceRef)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
    ),
  });
}

/** Jane's rollout of fraud-detector, with these entities in the catalog and the permission on the given refs. */
const authorizeFraudDetector = (options: {
  entities: Entity[];
  allowed?: string[];
  registryId?: string;
}) =>
  authorizeRollout({
    permissions: permissionsAllowing(...(options.allowed ?? [])),
    catalog: catalogServiceMock({ entities: options.entities }),
    credentials,
    model: 'fraud-detector',
    ...(options.registryId && { registryId: options.registryId }),
  });

describe('authorizeRollout', () => {
  it('checks the entity naming <registry>/<model> before one naming the bare model', async () => {
    const entities = [
      entity('Component', 'generic', 'fraud-detector'),
      entity('Resource', 'eu-fraud-detector', 'mlflow-eu/fraud-detector'),
      entity('Resource', 'other', 'mlflow-eu/churn'),
    ];
    const allowed = ['resource:default/eu-fraud-detector'];

    await expect(
      authorizeFraudDetector({ entities, allowed, registryId: 'mlflow-eu' }),
    ).resolves.toEqual({ entityRef: 'resource:default/eu-fraud-detector' });
    // Without a registry, the bare annotation is the model's page.
    await expect(authorizeFraudDetector({ entities, allowed })).rejects.toThrow(
      "Not allowed to change the traffic of model 'fraud-detector': permission ml-platform.rollout.execute denied on component:default/generic",
    );
  });

  it('finds the ml-model Resource of the catalog module when no registry is given', async () => {
    await expect(
      authorizeFraudDetector({
        entities: [
          entity('Resource', 'fraud-detector', 'mlflow/fraud-detector'),
        ],
        allowed: ['resource:default/fraud-detector'],
      }),
    ).resolves.toEqual({ entityRef: 'resource:default/fraud-detector' });
  });

  it('asks for a registry when entities of several registries name the model', async () => {
    await expect(
      authorizeFraudDetector({
        entities: [
          entity('Resource', 'a', 'mlflow/fraud-detector'),
          entity('Resource', 'b', 'mlflow-eu/fraud-detector'),
        ],
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /registries mlflow, mlflow-eu: give registryId/,
      ),
    });
  });

  it('needs the permission on every entity that names the model equally', async () => {
    await expect(
      authorizeFraudDetector({
        entities: [
          entity('Component', 'janes', 'fraud-detector'),
          entity('Component', 'someone-elses', 'fraud-detector'),
        ],
        allowed: ['component:default/janes'],
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /denied on component:default\/someone-elses$/,
      ),
    });
  });

  it('is not found when no entity names the model', async () => {
    await expect(
      authorizeFraudDetector({ entities: [], registryId: 'mlflow' }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        "No catalog entity names model 'fraud-detector' of registry 'mlflow' with the ml-platform.io/registered-model annotation",
    });
  });
});
