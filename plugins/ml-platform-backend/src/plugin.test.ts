import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ModelRegistry,
  mlPlatformModelRegistriesExtensionPoint,
} from '@mlplatform/plugin-ml-platform-node';
import { RegisteredModel } from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';

const model = (registryId: string, name: string): RegisteredModel => ({
  registryId,
  name,
  aliases: { champion: '2' },
  tags: {},
  latestVersion: '3',
});

const registry = (
  id: string,
  listModels: ModelRegistry['listModels'],
): ModelRegistry => ({ id, type: 'test', listModels });

const registriesModule = (...registries: ModelRegistry[]) =>
  createBackendModule({
    pluginId: 'ml-platform',
    moduleId: `test-registries-${registries.map(r => r.id).join('-')}`,
    register(env) {
      env.registerInit({
        deps: { ext: mlPlatformModelRegistriesExtensionPoint },
        async init({ ext }) {
          ext.addModelRegistry(...registries);
        },
      });
    },
  });

describe('mlPlatformPlugin', () => {
  it('answers /health without credentials', async () => {
    const { server } = await startTestBackend({ features: [mlPlatformPlugin] });
    await request(server)
      .get('/api/ml-platform/health')
      .set('authorization', mockCredentials.none.header())
      .expect(200, { status: 'ok' });
  });

  it('merges the models of every registry, sorted by name', async () => {
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        registriesModule(
          registry('eu', async () => [
            model('eu', 'zeta'),
            model('eu', 'alpha'),
          ]),
          registry('us', async () => [model('us', 'beta')]),
        ),
      ],
    });
    const res = await request(server).get('/api/ml-platform/models');
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: RegisteredModel) => m.name)).toEqual([
      'alpha',
      'beta',
      'zeta',
    ]);
    expect(res.body.registries).toEqual([
      { id: 'eu', type: 'test', ok: true },
      { id: 'us', type: 'test', ok: true },
    ]);
  });

  it('still answers when a registry fails or hangs, and says which', async () => {
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        mockServices.rootConfig.factory({
          data: { mlPlatform: { sourceTimeout: { milliseconds: 200 } } },
        }),
        registriesModule(
          registry('ok', async () => [model('ok', 'churn')]),
          registry('down', async () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:5000');
          }),
          registry('slow', () => new Promise(() => {})),
        ),
      ],
    });
    const res = await request(server).get('/api/ml-platform/models');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([model('ok', 'churn')]);
    expect(res.body.registries).toEqual([
      { id: 'ok', type: 'test', ok: true },
      {
        id: 'down',
        type: 'test',
        ok: false,
        error: 'connect ECONNREFUSED 127.0.0.1:5000',
      },
      {
        id: 'slow',
        type: 'test',
        ok: false,
        error: 'Model registry slow did not answer within 200 ms',
      },
    ]);
  });

  it('refuses to list models when the permission policy denies', async () => {
    const listModels = jest.fn(async () => [model('r', 'secret')]);
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        registriesModule(registry('r', listModels)),
      ],
    });
    const res = await request(server).get('/api/ml-platform/models');
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(listModels).not.toHaveBeenCalled();
  });

  it('rejects two registries with the same id at startup', async () => {
    await expect(
      startTestBackend({
        features: [
          mlPlatformPlugin,
          registriesModule(
            registry('mlflow', async () => []),
            registry('mlflow', async () => []),
          ),
        ],
      }),
    ).rejects.toThrow(
      "A model registry with id 'mlflow' is already registered",
    );
  });
});
