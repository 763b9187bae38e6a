import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import {
  ModelRegistry,
  mlPlatformModelRegistriesExtensionPoint,
} from '@mlplatform/plugin-ml-platform-node';
import request from 'supertest';
import { mlPlatformPlugin } from '../plugin';
import { createRouter } from '../router';
import { mlflowSignedHeaders } from '../services/Webhooks/__testUtils__/mlflowSignedHeaders';
import { loadOpenApiChecker } from './__testUtils__/openApiChecker';

/*
 * Runs the plugin's real router and wiring and checks every answer against
 * openapi.yaml, errors included, then requires that every documented answer
 * was produced: the spec cannot drift from the code in either direction.
 * openapi.integration.test.ts does the same with the real platform's data.
 */

const WEBHOOK_SECRET = 'openapi-test-webhook-secret';

const fraudDetector: RegisteredModel = {
  registryId: 'eu',
  name: 'fraud-detector',
  description: 'Card fraud risk',
  aliases: { champion: '2', challenger: '1' },
  tags: { owner: 'fraud-ml', service: 'fraud-api' },
  latestVersion: '2',
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T03:04:05.000Z',
};

const version = (v: string, extra: Partial<ModelVersion>): ModelVersion => ({
  registryId: 'eu',
  name: 'fraud-detector',
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  links: {
    registry: `https://mlflow.example.com/#/models/fraud/versions/${v}`,
  },
  ...extra,
});

const versions: ModelVersion[] = [
  version('1', {
    aliases: ['challenger'],
    description: 'Baseline',
    tags: { mlflow_run_id: 'run1' },
    createdAt: '2026-01-02T03:04:05.000Z',
    updatedAt: '2026-01-02T03:04:05.000Z',
    source: 'models:/m-1',
    run: {
      runId: 'run1',
      experimentId: '3',
      runName: 'train-1',
      status: 'FINISHED',
      userId: 'ci',
      startTime: '2026-01-02T02:00:00.000Z',
      endTime: '2026-01-02T02:30:00.000Z',
      params: { max_depth: '6' },
      metrics: { auc: 0.91 },
      tags: { 'lakefs.commit': 'c0ffee' },
    },
    lineage: {
      pipelineRun: {
        id: 'p1',
        name: 'train-1',
        pipeline: 'fraud_training',
        status: 'completed',
        link: 'https://zenml.example.com/projects/default/runs/p1',
      },
      dataCommit: {
        repository: 'training-data',
        commitId: 'c0ffee',
        path: 'fraud/2026-01.parquet',
        message: 'January data',
        committer: 'etl',
        committedAt: '2026-01-01T00:00:00.000Z',
        metadata: { dataset: 'fraud-2026-01' },
        link: 'https://lakefs.example.com/repositories/training-data/commits/c0ffee',
      },
    },
    safety: {
      safety: 'unsafe',
      reason: 'Loading runs pickle (sklearn, serialization_format: pickle)',
      flavors: ['python_function', 'sklearn'],
      source: 'bytes',
      files: [],
    },
    links: {
      registry: 'https://mlflow.example.com/#/models/fraud/versions/1',
      run: 'https://mlflow.example.com/#/experiments/3/runs/run1',
    },
  }),
  version('2', {
    aliases: ['champion'],
    lineage: {
      pipelineRun: { id: 'p2', error: 'ZenML answered 503' },
      dataCommit: {
        repository: 'training-data',
        commitId: 'beef',
        error: 'lakeFS answered 503',
      },
    },
    safetyError: 'Could not read the MLmodel file: 404',
  }),
];

const registry = (
  id: string,
  models: RegisteredModel[],
  modelVersions: ModelVersion[] = [],
): ModelRegistry => ({
  id,
  type: 'test',
  listModels: async () => models,
  listVersions: async () => modelVersions,
});

const registriesModule = createBackendModule({
  pluginId: 'ml-platform',
  moduleId: 'openapi-test-registries',
  register(env) {
    env.registerInit({
      deps: { ext: mlPlatformModelRegistriesExtensionPoint },
      async init({ ext }) {
        ext.addModelRegistry(
          registry('eu', [fraudDetector], versions),
          registry('us', [
            { registryId: 'us', name: 'ranker', aliases: {}, tags: {} },
            { registryId: 'us', name: 'twin', aliases: {}, tags: {} },
          ]),
          registry('lab', [
            { registryId: 'lab', name: 'twin', aliases: {}, tags: {} },
          ]),
        );
      },
    });
  },
});

const config = mockServices.rootConfig.factory({
  data: {
    mlPlatform: {
      sourceTimeout: { seconds: 2 },
      tools: [
        { name: 'mlflow', type: 'mlflow', url: 'https://mlflow.example.com' },
      ],
      registries: {
        mlflow: [
          {
            // Nothing listens there: its status reports the failure.
            id: 'mlflow-down',
            baseUrl: 'http://127.0.0.1:9',
            webhook: { secret: WEBHOOK_SECRET },
          },
        ],
      },
    },
  },
});

const mlflowHeaders = (body: string) =>
  mlflowSignedHeaders(body, { secret: WEBHOOK_SECRET });

describe('openapi.yaml', () => {
  let checker: Awaited<ReturnType<typeof loadOpenApiChecker>>;
  beforeAll(async () => {
    checker = await loadOpenApiChecker();
  });

  const start = (
    ...extra: NonNullable<Parameters<typeof startTestBackend>[0]['features']>
  ) =>
    startTestBackend({
      features: [mlPlatformPlugin, registriesModule, config, ...extra],
    });

  it('documents every route of the router, and nothing else', async () => {
    // Building the router touches none of its services.
    const router = await createRouter({} as Parameters<typeof createRouter>[0]);
    const served = router.stack
      .flatMap(layer =>
        layer.route
          ? Object.keys(
              (layer.route as unknown as { methods: Record<string, boolean> })
                .methods,
            ).map(
              method =>
                `${method.toUpperCase()} ${layer.route!.path.replace(
                  /:(\w+)/g,
                  '{$1}',
                )}`,
            )
          : [],
      )
      .sort();
    const documented = Object.entries(checker.spec.paths ?? {})
      .flatMap(([template, item]) =>
        Object.keys(item ?? {}).map(m => `${m.toUpperCase()} ${template}`),
      )
      .sort();
    expect(served).toEqual(documented);
  });

  it('describes what the router answers when allowed', async () => {
    const { server } = await start();
    const get = async (url: string) =>
      checker.check(await request(server).get(`/api/ml-platform${url}`));

    expect((await get('/health')).status).toBe(200);

    const list = await get('/models');
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: RegisteredModel) => m.name)).toEqual([
      'fraud-detector',
      'ranker',
      'twin',
      'twin',
    ]);
    expect(list.body.registries).toContainEqual(
      expect.objectContaining({ id: 'mlflow-down', ok: false }),
    );
    for (const query of [
      'search=fraud&owner=fraud-ml&alias=champion&safety=unknown&deployed=false&offset=0&limit=1',
      'cluster=prod&deployed=true',
    ]) {
      expect((await get(`/models?${query}`)).status).toBe(200);
    }

    const details = await get('/models/fraud-detector');
    expect(details.status).toBe(200);
    expect(details.body.versions.map((v: ModelVersion) => v.version)).toEqual([
      '2',
      '1',
    ]);
    expect((await get('/models/twin?registry=lab')).status).toBe(200);

    const tools = await get('/tools');
    expect(tools.status).toBe(200);
    expect(tools.body.tools).toContainEqual(
      expect.objectContaining({ name: 'mlflow', type: 'mlflow' }),
    );

    const refresh = checker.check(
      await request(server).post('/api/ml-platform/refresh'),
    );
    expect(refresh.status).toBe(204);
    // A second read on request within the interval is not started.
    const again = checker.check(
      await request(server).post('/api/ml-platform/refresh'),
    );
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('describes the errors of invalid requests', async () => {
    const { server } = await start();
    const get = async (url: string) =>
      checker.check(await request(server).get(`/api/ml-platform${url}`));

    for (const query of ['limit=0', 'colour=red', 'search=%20']) {
      const res = await get(`/models?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    }
    expect((await get('/models/twin')).status).toBe(400);
    expect((await get('/models/fraud-detector?colour=red')).status).toBe(400);
    // The registries that answered can say they have no such model.
    const missing = await get('/models/nope?registry=eu');
    expect(missing.status).toBe(404);
    expect(missing.body.error.name).toBe('NotFoundError');
    // One that does not answer cannot.
    const unknown = await get('/models/nope');
    expect(unknown.status).toBe(503);
    expect(unknown.body.error).toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining(
        'mlflow registry mlflow-down is unreachable',
      ),
    });
  });

  it('describes the 503 while a registry is still being read for the first time', async () => {
    let finishRead = () => {};
    const slowModule = createBackendModule({
      pluginId: 'ml-platform',
      moduleId: 'openapi-test-slow-registry',
      register(env) {
        env.registerInit({
          deps: { ext: mlPlatformModelRegistriesExtensionPoint },
          async init({ ext }) {
            const read = new Promise<void>(resolve => {
              finishRead = resolve;
            });
            ext.addModelRegistry({
              id: 'slow',
              type: 'test',
              listModels: async () => {
                await read;
                return [];
              },
              listVersions: async () => [],
            });
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        slowModule,
        mockServices.rootConfig.factory({
          data: { mlPlatform: { sourceTimeout: { milliseconds: 100 } } },
        }),
        // The test scheduler would otherwise await the first refresh at startup.
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const res = checker.check(
      await request(server).get('/api/ml-platform/models/nope'),
    );
    finishRead();
    expect(res.status).toBe(503);
    expect(res.body.error.name).toBe('ServiceUnavailableError');
  });

  it('describes the 401 without credentials and the 403 of a denying policy', async () => {
    const anonymous = await start();
    const denied = await start(
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    );
    const calls = [
      ['get', '/models'],
      ['get', '/models/fraud-detector'],
      ['get', '/tools'],
      ['post', '/refresh'],
    ] as const;
    for (const [method, url] of calls) {
      const unauthenticated = checker.check(
        await request(anonymous.server)
          [method](`/api/ml-platform${url}`)
          .set('authorization', mockCredentials.none.header()),
      );
      expect(unauthenticated.status).toBe(401);

      const forbidden = checker.check(
        await request(denied.server)[method](`/api/ml-platform${url}`),
      );
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.name).toBe('NotAllowedError');
    }
  });

  it('describes every answer of the MLflow webhook route', async () => {
    const { server } = await start();
    const route = '/api/ml-platform/webhooks/mlflow/mlflow-down';
    const post = async (
      body: string,
      headers: Record<string, string>,
      url = route,
    ) => {
      let req = request(server).post(url);
      for (const [name, value] of Object.entries(headers)) {
        req = req.set(name, value);
      }
      return checker.check(await req.send(body));
    };
    const event = JSON.stringify({
      entity: 'model_version',
      action: 'created',
      timestamp: new Date().toISOString(),
      data: { name: 'fraud-detector', version: '3' },
    });

    const headers = mlflowHeaders(event);
    const accepted = await post(event, headers);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      deliveryId: headers['x-mlflow-delivery-id'],
      event: 'model_version.created',
      refresh: true,
    });
    expect((await post(event, headers)).status).toBe(409);

    const { 'x-mlflow-timestamp': _, ...noTimestamp } = mlflowHeaders(event);
    expect((await post(event, noTimestamp)).status).toBe(400);
    expect((await post('not json', mlflowHeaders('not json'))).status).toBe(
      400,
    );
    const tampered = await post(
      event.replace('"3"', '"4"'),
      mlflowHeaders(event),
    );
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.name).toBe('AuthenticationError');

    const elsewhere = await post(
      event,
      mlflowHeaders(event),
      '/api/ml-platform/webhooks/mlflow/eu',
    );
    expect(elsewhere.status).toBe(404);

    const huge = JSON.stringify({
      entity: 'model_version',
      action: 'created',
      data: { name: 'x', description: 'x'.repeat(300 * 1024) },
    });
    expect((await post(huge, mlflowHeaders(huge))).status).toBe(413);
  });

  // Runs last: the tests above check every answer they get, and together
  // must have produced each answer the spec documents.
  it('has every documented answer produced by the tests above', () => {
    // The rollout routes need the local apiserver and MLflow: their answers
    // are produced and checked by plugin.rollouts.integration.test.ts.
    expect(checker.unseen().filter(key => !key.includes('/rollouts'))).toEqual(
      [],
    );
  });
});
