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
import {
  ModelVersion,
  RegisteredModel,
  SerializationSafety,
} from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';

const model = (
  registryId: string,
  name: string,
  extra: Partial<RegisteredModel> = {},
): RegisteredModel => ({
  registryId,
  name,
  aliases: {},
  tags: {},
  latestVersion: '2',
  ...extra,
});

const version = (
  registryId: string,
  name: string,
  v: string,
  safety: SerializationSafety,
): ModelVersion => ({
  registryId,
  name,
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  safety: {
    safety,
    reason: `${safety} because`,
    flavors: ['sklearn'],
    source: 'bytes',
    files: [],
  },
  links: { registry: `http://mlflow/#/models/${name}/versions/${v}` },
});

const registry = (
  id: string,
  models: () => Promise<RegisteredModel[]>,
  versions: () => Promise<ModelVersion[]> = async () => [],
): ModelRegistry => ({
  id,
  type: 'test',
  listModels: models,
  listVersions: versions,
});

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

const fleet = registriesModule(
  registry(
    'eu',
    async () => [
      model('eu', 'fraud-detector', {
        description: 'Card fraud risk',
        aliases: { champion: '1' },
        tags: { owner: 'fraud-ml' },
      }),
      model('eu', 'churn', { tags: { owner: 'recsys-ml' } }),
    ],
    async () => [
      version('eu', 'fraud-detector', '1', 'unsafe'),
      version('eu', 'fraud-detector', '2', 'safe'),
      version('eu', 'churn', '2', 'unknown'),
    ],
  ),
  registry('us', async () => [model('us', 'ranker')]),
);

describe('mlPlatformPlugin', () => {
  it('answers /health without credentials', async () => {
    const { server } = await startTestBackend({ features: [mlPlatformPlugin] });
    const res = await request(server)
      .get('/api/ml-platform/health')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  describe('GET /models', () => {
    it('merges the models of every registry, sorted by name, with owner and safety', async () => {
      const { server } = await startTestBackend({
        features: [mlPlatformPlugin, fleet],
      });
      const res = await request(server).get('/api/ml-platform/models');
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((m: any) => [m.name, m.owner, m.safety]),
      ).toEqual([
        ['churn', 'recsys-ml', 'unknown'],
        ['fraud-detector', 'fraud-ml', 'safe'],
        ['ranker', undefined, undefined],
      ]);
      expect(res.body.items[1].safetyReason).toBe('v2: safe because');
      expect(res.body.totalCount).toBe(3);
      expect(res.body.registries).toEqual([
        expect.objectContaining({ id: 'eu', ok: true }),
        expect.objectContaining({ id: 'us', ok: true }),
      ]);
    });

    it.each([
      ['search=FRAUD', ['fraud-detector']],
      ['search=card', ['fraud-detector']],
      ['owner=recsys-ml', ['churn']],
      ['alias=champion', ['fraud-detector']],
      // ranker has no version to judge: unknown too.
      ['safety=unknown', ['churn', 'ranker']],
      ['deployed=false', ['churn', 'fraud-detector', 'ranker']],
      ['deployed=true', []],
      ['limit=2', ['churn', 'fraud-detector']],
      ['limit=2&offset=2', ['ranker']],
    ])('filters and pages with ?%s', async (query, names) => {
      const { server } = await startTestBackend({
        features: [mlPlatformPlugin, fleet],
      });
      const res = await request(server).get(`/api/ml-platform/models?${query}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: RegisteredModel) => m.name)).toEqual(names);
    });

    it.each([
      ['limit=0', /limit/],
      ['limit=501', /limit/],
      ['offset=-1', /offset/],
      ['safety=dangerous', /safety/],
      ['deployed=yes', /deployed/],
      ['colour=red', /unknown parameter colour/],
    ])(
      'refuses ?%s with a 400 that names the field',
      async (query, message) => {
        const { server } = await startTestBackend({
          features: [mlPlatformPlugin, fleet],
        });
        const res = await request(server).get(
          `/api/ml-platform/models?${query}`,
        );
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
        expect(res.body.error.message).toMatch(message);
      },
    );

    it('answers within the source timeout when a registry fails or is still being read, and says which', async () => {
      let finishSlowRead = () => {};
      const slowRead = new Promise<void>(resolve => {
        finishSlowRead = resolve;
      });
      const { server } = await startTestBackend({
        features: [
          mlPlatformPlugin,
          mockServices.rootConfig.factory({
            data: { mlPlatform: { sourceTimeout: { milliseconds: 200 } } },
          }),
          // The test scheduler would otherwise await the first refresh at startup.
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          registriesModule(
            registry('ok', async () => [model('ok', 'churn')]),
            registry('down', async () => {
              throw new Error('connect ECONNREFUSED 127.0.0.1:5000');
            }),
            registry('slow', async () => {
              await slowRead;
              return [model('slow', 'ranker')];
            }),
          ),
        ],
      });
      const res = await request(server).get('/api/ml-platform/models');
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: RegisteredModel) => m.name)).toEqual([
        'churn',
      ]);
      expect(res.body.registries).toEqual([
        expect.objectContaining({ id: 'ok', ok: true }),
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
          error: 'The first read is under way',
        },
      ]);
      // A model may be in the registry still being read: not a 404.
      const missing = await request(server).get(
        '/api/ml-platform/models/ranker',
      );
      expect(missing.status).toBe(503);
      expect(missing.body.error.message).toMatch(
        /slow is still being read for the first time/,
      );
      // Once read, its models are there; the failed registry stays named.
      finishSlowRead();
      let later = await request(server).get('/api/ml-platform/models');
      for (let i = 0; i < 50 && later.body.items.length < 2; i++) {
        await new Promise(r => setTimeout(r, 100));
        later = await request(server).get('/api/ml-platform/models');
      }
      expect(later.body.items.map((m: RegisteredModel) => m.name)).toEqual([
        'churn',
        'ranker',
      ]);
      expect(later.body.registries.map((r: any) => [r.id, r.ok])).toEqual([
        ['ok', true],
        ['down', false],
        ['slow', true],
      ]);
    });

    it('answers from memory between refreshes, and keeps the last good data when a refresh fails', async () => {
      let calls = 0;
      const listModels = jest.fn(async () => {
        calls += 1;
        if (calls === 2) throw new Error('MLflow returned 503');
        return [model('r', `model-${calls}`)];
      });
      const { server } = await startTestBackend({
        features: [
          mlPlatformPlugin,
          registriesModule(registry('r', listModels)),
          // Two refreshes in a row, without the rate limit's wait.
          mockServices.rootConfig.factory({
            data: { mlPlatform: { refresh: { minInterval: 'PT0S' } } },
          }),
        ],
      });
      const names = async () =>
        (await request(server).get('/api/ml-platform/models')).body;

      expect((await names()).items.map((m: any) => m.name)).toEqual([
        'model-1',
      ]);
      await names();
      expect(listModels).toHaveBeenCalledTimes(1);

      await request(server).post('/api/ml-platform/refresh').expect(204);
      const stale = await names();
      expect(stale.items.map((m: any) => m.name)).toEqual(['model-1']);
      expect(stale.registries[0]).toMatchObject({
        ok: false,
        error: 'MLflow returned 503',
      });

      await request(server).post('/api/ml-platform/refresh').expect(204);
      const fresh = await names();
      expect(fresh.items.map((m: any) => m.name)).toEqual(['model-3']);
      expect(fresh.registries[0].ok).toBe(true);
    });

    it('refuses when the permission policy denies, and reveals nothing', async () => {
      const listModels = jest.fn(async () => [model('r', 'secret')]);
      const { server } = await startTestBackend({
        features: [
          mlPlatformPlugin,
          mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
          registriesModule(registry('r', listModels)),
        ],
      });
      for (const req of [
        request(server).get('/api/ml-platform/models'),
        request(server).get('/api/ml-platform/models/secret'),
        request(server).post('/api/ml-platform/refresh'),
      ]) {
        const res = await req;
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(Object.keys(res.body).sort()).toEqual([
          'error',
          'request',
          'response',
        ]);
      }
    });
  });

  describe('GET /models/:name', () => {
    it('returns the model with its versions, newest first', async () => {
      const { server } = await startTestBackend({
        features: [mlPlatformPlugin, fleet],
      });
      const res = await request(server).get(
        '/api/ml-platform/models/fraud-detector',
      );
      expect(res.status).toBe(200);
      expect(res.body.model).toMatchObject({
        name: 'fraud-detector',
        registryId: 'eu',
        owner: 'fraud-ml',
      });
      expect(res.body.versions.map((v: ModelVersion) => v.version)).toEqual([
        '2',
        '1',
      ]);
      expect(res.body.deployments).toEqual([]);
    });

    it('answers 404 for an unknown model and 400 for an ambiguous one', async () => {
      const { server } = await startTestBackend({
        features: [
          mlPlatformPlugin,
          registriesModule(
            registry('a', async () => [model('a', 'twin')]),
            registry('b', async () => [model('b', 'twin')]),
          ),
        ],
      });
      const missing = await request(server).get('/api/ml-platform/models/nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe(
        "No registered model named 'nope'",
      );

      const twin = await request(server).get('/api/ml-platform/models/twin');
      expect(twin.status).toBe(400);
      expect(twin.body.error.message).toMatch(/exists in registries a, b/);

      const named = await request(server).get(
        '/api/ml-platform/models/twin?registry=b',
      );
      expect(named.status).toBe(200);
      expect(named.body.model.registryId).toBe('b');
    });
    it('answers 503 naming the unreachable registry, not 404, for a model it may hold', async () => {
      const { server } = await startTestBackend({
        features: [
          mlPlatformPlugin,
          registriesModule(
            registry('mlflow', async () => {
              throw new Error('connect ECONNREFUSED 127.0.0.1:5000');
            }),
            registry('eu', async () => [model('eu', 'churn')]),
          ),
        ],
      });
      const res = await request(server).get(
        '/api/ml-platform/models/fraud-detector',
      );
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({
        name: 'ServiceUnavailableError',
        message:
          "Cannot tell whether registered model 'fraud-detector' exists: test registry mlflow is unreachable: connect ECONNREFUSED 127.0.0.1:5000. Try again once the registry answers",
      });
      // A registry that answered can say it has no such model.
      const inEu = await request(server).get(
        '/api/ml-platform/models/fraud-detector?registry=eu',
      );
      expect(inEu.status).toBe(404);
      // What the reachable registry has is still served.
      expect(
        (await request(server).get('/api/ml-platform/models/churn')).status,
      ).toBe(200);
    });
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
