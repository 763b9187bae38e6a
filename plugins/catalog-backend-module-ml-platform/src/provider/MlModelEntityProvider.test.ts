import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import {
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ModelListResponse,
  ModelRegistryStatus,
  ModelSummary,
} from '@mlplatform/plugin-ml-platform-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MlModelEntityProvider } from './MlModelEntityProvider';

// mockServices.discovery() answers http://localhost:0/api/<plugin id>.
const MODELS_URL = 'http://localhost:0/api/ml-platform/models';

const model = (
  name: string,
  extra: Partial<ModelSummary> = {},
): ModelSummary => ({
  registryId: 'mlflow',
  name,
  aliases: {},
  tags: {},
  deployments: [],
  ...extra,
});

const ok = (id: string): ModelRegistryStatus => ({
  id,
  type: 'mlflow',
  ok: true,
});

/** Locations whose entities may claim a model: the platform's catalog repository. */
const TRUSTED = 'file:/catalog/';

const component = (
  name: string,
  annotation: string,
  origin = `${TRUSTED}${name}.yaml`,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': origin,
      'backstage.io/managed-by-origin-location': origin,
      'ml-platform.io/registered-model': annotation,
    },
  },
  spec: { type: 'model-service', owner: 'fraud-ml', lifecycle: 'production' },
});

/** Serves `models` in pages of the requested size, as the backend does. */
function serveModels(
  models: ModelSummary[],
  registries: ModelRegistryStatus[] = [ok('mlflow')],
  pageSize?: number,
) {
  const requests: Array<{
    offset: string | null;
    limit: string | null;
    authorization: string | null;
  }> = [];
  const handler = http.get(MODELS_URL, ({ request }) => {
    const url = new URL(request.url);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = pageSize ?? Number(url.searchParams.get('limit') ?? 50);
    requests.push({
      offset: url.searchParams.get('offset'),
      limit: url.searchParams.get('limit'),
      authorization: request.headers.get('authorization'),
    });
    const body: ModelListResponse = {
      items: models.slice(offset, offset + limit),
      totalCount: models.length,
      registries,
      clusters: [],
    };
    return HttpResponse.json(body);
  });
  return { handler, requests };
}

function setup(options: { entities?: Entity[]; defaultOwner?: string } = {}) {
  const auth = mockServices.auth({ pluginId: 'catalog' });
  let task: SchedulerServiceTaskInvocationDefinition | undefined;
  const taskRunner = {
    run: jest.fn(async (t: SchedulerServiceTaskInvocationDefinition) => {
      task = t;
    }),
  };
  const mutations: EntityProviderMutation[] = [];
  const connection: EntityProviderConnection = {
    applyMutation: jest.fn(async (m: EntityProviderMutation) => {
      mutations.push(m);
    }),
    refresh: jest.fn(),
  };
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const provider = new MlModelEntityProvider({
    logger,
    discovery: mockServices.discovery(),
    auth,
    catalog: catalogServiceMock({ entities: options.entities ?? [] }),
    taskRunner,
    defaultOwner: options.defaultOwner,
    trustedLocations: origin => origin.startsWith(TRUSTED),
  });
  return {
    provider,
    auth,
    logger,
    mutations,
    connection,
    taskRunner,
    async runTask() {
      if (!task) throw new Error('no task scheduled');
      await task.fn(new AbortController().signal);
    },
  };
}

const entitiesOf = (mutation: EntityProviderMutation) => {
  if (mutation.type !== 'full') throw new Error('expected a full mutation');
  return mutation.entities.map((e: DeferredEntity) => e.entity);
};

const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

describe('MlModelEntityProvider', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('schedules a task on connect that reads every page and applies one full mutation', async () => {
    const models = Array.from({ length: 7 }, (_, i) => model(`model-${i}`));
    const { handler, requests } = serveModels(models, undefined, 3);
    server.use(handler);
    const t = setup();

    await t.provider.connect(t.connection);
    expect(t.taskRunner.run).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'MlModelEntityProvider:refresh' }),
    );
    await t.runTask();

    expect(requests.map(r => r.offset)).toEqual(['0', '3', '6']);
    expect(requests.every(r => r.limit === '500')).toBe(true);
    const token = mockCredentials.service.token({
      onBehalfOf: await t.auth.getOwnServiceCredentials(),
      targetPluginId: 'ml-platform',
    });
    expect(requests[0].authorization).toBe(`Bearer ${token}`);

    expect(t.mutations).toHaveLength(1);
    expect(t.mutations[0].type).toBe('full');
    expect(entitiesOf(t.mutations[0]).map(e => e.metadata.name)).toEqual(
      models.map(m => m.name),
    );
  });

  it('emits valid Resource entities of type ml-model', async () => {
    server.use(
      serveModels(
        [
          model('fraud-detector', {
            description: 'Scores card transactions',
            owner: 'fraud-ml',
          }),
          model('Fraud Detector', { registryId: 'mlflow-eu' }),
        ],
        [ok('mlflow'), ok('mlflow-eu')],
      ).handler,
    );
    const t = setup();
    await t.provider.connect(t.connection);
    await t.runTask();

    const [mutation] = t.mutations;
    if (mutation.type !== 'full') throw new Error('expected full');
    expect(
      mutation.entities.every(e => e.locationKey === 'MlModelEntityProvider'),
    ).toBe(true);
    const [first, second] = entitiesOf(mutation);
    expect(first).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'fraud-detector',
        namespace: 'default',
        title: 'fraud-detector',
        description: 'Scores card transactions',
        annotations: {
          'backstage.io/managed-by-location':
            'ml-platform:mlflow/fraud-detector',
          'backstage.io/managed-by-origin-location':
            'ml-platform:mlflow/fraud-detector',
          'ml-platform.io/registered-model': 'mlflow/fraud-detector',
          // For people to read: the tag decides nothing.
          'ml-platform.io/owner-tag': 'fraud-ml',
        },
        tags: ['ml-model'],
      },
      spec: { type: 'ml-model', owner: 'group:default/unknown' },
    });
    expect(second.metadata.name).toMatch(
      /^mlflow-eu-fraud-detector-[0-9a-f]{8}$/,
    );
    expect(second.metadata.title).toBe('Fraud Detector');
    expect(
      second.metadata.annotations?.['ml-platform.io/registered-model'],
    ).toBe('mlflow-eu/Fraud Detector');

    for (const entity of [first, second]) {
      await expect(policy.enforce(entity)).resolves.toBe(entity);
      await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
    }
  });

  it('gives colliding names a hash each', async () => {
    server.use(
      serveModels(
        [model('eu-x'), model('x', { registryId: 'eu' })],
        [ok('mlflow'), ok('eu')],
      ).handler,
    );
    const t = setup();
    await t.provider.connect(t.connection);
    await t.runTask();
    const names = entitiesOf(t.mutations[0]).map(e => e.metadata.name);
    expect(names[0]).toMatch(/^eu-x-[0-9a-f]{8}$/);
    expect(names[1]).toMatch(/^eu-x-[0-9a-f]{8}$/);
    expect(names[0]).not.toBe(names[1]);
  });

  it('leaves out models that an entity from a trusted location names, by name or by registry/name', async () => {
    server.use(
      serveModels(
        [
          model('fraud-detector'),
          model('fraud-detector', { registryId: 'mlflow-eu' }),
          model('product-ranker'),
          model('product-ranker', { registryId: 'mlflow-eu' }),
          model('ticket-router'),
        ],
        [ok('mlflow'), ok('mlflow-eu')],
      ).handler,
    );
    const t = setup({
      entities: [
        // A bare name names the model in every registry, as the backend reads it.
        component('fraud-scorer', 'fraud-detector'),
        component('ranker', 'mlflow/product-ranker'),
        component('broken', 'a/b/c'),
        // Registered by anyone: the model keeps its own entity.
        component(
          'claim',
          'mlflow/ticket-router',
          'url:https://git.example.com/someone/catalog-info.yaml',
        ),
      ],
    });
    await t.provider.connect(t.connection);
    await t.runTask();

    expect(
      entitiesOf(t.mutations[0]).map(
        e => e.metadata.annotations?.['ml-platform.io/registered-model'],
      ),
    ).toEqual(['mlflow/ticket-router', 'mlflow-eu/product-ranker']);
  });

  it('does not treat its own entities as existing ones', async () => {
    server.use(serveModels([model('ticket-router')]).handler);
    const first = setup();
    await first.provider.connect(first.connection);
    await first.runTask();
    const own = entitiesOf(first.mutations[0]);

    const second = setup({ entities: own });
    await second.provider.connect(second.connection);
    await second.runTask();
    expect(entitiesOf(second.mutations[0])).toEqual(own);
  });

  it.each([
    ['an error status', () => new HttpResponse('boom', { status: 500 })],
    ['a network error', () => HttpResponse.error()],
  ])('applies no mutation when the backend answers %s', async (_, reply) => {
    server.use(http.get(MODELS_URL, reply));
    const t = setup();
    await t.provider.connect(t.connection);
    await t.runTask();
    expect(t.connection.applyMutation).not.toHaveBeenCalled();
    expect(t.logger.error).toHaveBeenCalledWith(
      expect.stringContaining('Not updating ML model entities'),
    );
  });

  it('applies no mutation when a later page fails', async () => {
    let calls = 0;
    server.use(
      http.get(MODELS_URL, () => {
        calls += 1;
        if (calls > 1) return new HttpResponse(null, { status: 503 });
        return HttpResponse.json({
          items: [model('a')],
          totalCount: 2,
          registries: [ok('mlflow')],
          clusters: [],
        });
      }),
    );
    const t = setup();
    await t.provider.connect(t.connection);
    await t.runTask();
    expect(calls).toBe(2);
    expect(t.connection.applyMutation).not.toHaveBeenCalled();
  });

  it('emits only models of healthy registries, keeping the last good read of a failing one', async () => {
    const eu = model('eu-model', { registryId: 'mlflow-eu' });
    server.use(
      serveModels([model('us-model'), eu], [ok('mlflow'), ok('mlflow-eu')])
        .handler,
    );
    const t = setup();
    await t.provider.connect(t.connection);
    await t.runTask();
    expect(entitiesOf(t.mutations[0])).toHaveLength(2);

    // The backend still lists stale models of a failing registry: neither
    // they nor an empty list replace what was read while it worked.
    server.use(
      serveModels(
        [model('us-model'), model('us-2'), { ...eu, name: 'stale' }],
        [ok('mlflow'), { ...ok('mlflow-eu'), ok: false, error: 'timeout' }],
      ).handler,
    );
    await t.runTask();
    expect(entitiesOf(t.mutations[1]).map(e => e.metadata.title)).toEqual([
      'us-model',
      'us-2',
      'eu-model',
    ]);

    // A registry that fails from the start contributes nothing.
    const fresh = setup();
    await fresh.provider.connect(fresh.connection);
    await fresh.runTask();
    expect(entitiesOf(fresh.mutations[0]).map(e => e.metadata.title)).toEqual([
      'us-model',
      'us-2',
    ]);
  });

  it('owns every model by the default owner, whatever its owner tag says', async () => {
    server.use(
      serveModels([
        model('a', { owner: 'fraud-ml' }),
        model('b', { owner: 'user:jane' }),
        model('c'),
      ]).handler,
    );
    const owners = async (defaultOwner?: string) => {
      const t = setup({ defaultOwner });
      await t.provider.connect(t.connection);
      await t.runTask();
      return entitiesOf(t.mutations[0]).map(e => [
        e.spec?.owner,
        e.metadata.annotations?.['ml-platform.io/owner-tag'],
      ]);
    };

    expect(await owners()).toEqual([
      ['group:default/unknown', 'fraud-ml'],
      ['group:default/unknown', 'user:jane'],
      ['group:default/unknown', undefined],
    ]);
    expect((await owners('platform-team')).map(([o]) => o)).toEqual([
      'group:default/platform-team',
      'group:default/platform-team',
      'group:default/platform-team',
    ]);
  });

  it('rejects a default owner that is no entity reference', () => {
    expect(() => setup({ defaultOwner: 'a b' })).toThrow(/defaultOwner/);
  });

  it('reads its schedule and default owner from config', async () => {
    const createScheduledTaskRunner = jest
      .fn()
      .mockReturnValue({ run: jest.fn() });
    const scheduler = mockServices.scheduler.mock({
      createScheduledTaskRunner,
    });
    const deps = {
      logger: mockServices.logger.mock(),
      scheduler,
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      catalog: catalogServiceMock(),
    };

    MlModelEntityProvider.fromConfig(mockServices.rootConfig(), deps);
    expect(createScheduledTaskRunner).toHaveBeenLastCalledWith({
      frequency: { minutes: 5 },
      timeout: { minutes: 3 },
      initialDelay: { seconds: 15 },
    });

    expect(() =>
      MlModelEntityProvider.fromConfig(
        mockServices.rootConfig({
          data: {
            catalog: {
              providers: {
                mlPlatform: {
                  schedule: { frequency: { minutes: 1 }, timeout: 'PT30S' },
                  defaultOwner: 'a b',
                },
              },
            },
          },
        }),
        deps,
      ),
    ).toThrow(/defaultOwner 'a b'/);
    expect(createScheduledTaskRunner).toHaveBeenLastCalledWith({
      frequency: { minutes: 1 },
      timeout: { seconds: 30 },
    });
  });
});
