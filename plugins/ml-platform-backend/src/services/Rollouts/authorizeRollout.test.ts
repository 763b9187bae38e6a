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

describe('authorizeRollout', () => {
  it('checks the entity naming <registry>/<model> before one naming the bare model', async () => {
    const catalog = catalogServiceMock({
      entities: [
        entity('Component', 'generic', 'fraud-detector'),
        entity('Resource', 'eu-fraud-detector', 'mlflow-eu/fraud-detector'),
        entity('Resource', 'other', 'mlflow-eu/churn'),
      ],
    });
    const permissions = permissionsAllowing(
      'resource:default/eu-fraud-detector',
    );

    await expect(
      authorizeRollout({
        permissions,
        catalog,
        credentials,
        model: 'fraud-detector',
        registryId: 'mlflow-eu',
      }),
    ).resolves.toEqual({ entityRef: 'resource:default/eu-fraud-detector' });
    // Without a registry, the bare annotation is the model's page.
    await expect(
      authorizeRollout({
        permissions,
        catalog,
        credentials,
        model: 'fraud-detector',
      }),
    ).rejects.toThrow(
      "Not allowed to change the traffic of model 'fraud-detector': permission ml-platform.rollout.execute denied on component:default/generic",
    );
  });

  it('finds the ml-model Resource of the catalog module when no registry is given', async () => {
    const catalog = catalogServiceMock({
      entities: [entity('Resource', 'fraud-detector', 'mlflow/fraud-detector')],
    });

    await expect(
      authorizeRollout({
        permissions: permissionsAllowing('resource:default/fraud-detector'),
        catalog,
        credentials,
        model: 'fraud-detector',
      }),
    ).resolves.toEqual({ entityRef: 'resource:default/fraud-detector' });
  });

  it('asks for a registry when entities of several registries name the model', async () => {
    const catalog = catalogServiceMock({
      entities: [
        entity('Resource', 'a', 'mlflow/fraud-detector'),
        entity('Resource', 'b', 'mlflow-eu/fraud-detector'),
      ],
    });

    await expect(
      authorizeRollout({
        permissions: permissionsAllowing(),
        catalog,
        credentials,
        model: 'fraud-detector',
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /registries mlflow, mlflow-eu: give registryId/,
      ),
    });
  });

  it('needs the permission on every entity that names the model equally', async () => {
    const catalog = catalogServiceMock({
      entities: [
        entity('Component', 'janes', 'fraud-detector'),
        entity('Component', 'someone-elses', 'fraud-detector'),
      ],
    });

    await expect(
      authorizeRollout({
        permissions: permissionsAllowing('component:default/janes'),
        catalog,
        credentials,
        model: 'fraud-detector',
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
      authorizeRollout({
        permissions: permissionsAllowing(),
        catalog: catalogServiceMock({ entities: [] }),
        credentials,
        model: 'fraud-detector',
        registryId: 'mlflow',
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        "No catalog entity names model 'fraud-detector' of registry 'mlflow' with the ml-platform.io/registered-model annotation",
    });
  });
});
