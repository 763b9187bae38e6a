import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import type {
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import type { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { createRolloutAuditStore } from '../services/Audit';
import { createModelCatalogService } from '../services/ModelCatalog';
import type { ModelCatalogService } from '../services/ModelCatalog';
import { createModelDeploymentsService } from '../services/ModelDeployments';
import type { ModelDeploymentsService } from '../services/ModelDeployments';
import {
  createBuiltInTrafficRouters,
  createRolloutService,
} from '../services/Rollouts';
import {
  createRoute,
  createVersionService,
} from '../services/Rollouts/__testUtils__/fixtures';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  localKubernetesConfig,
  paths,
} from '../services/Rollouts/__testUtils__/localKube';
import { registerRolloutActions } from './registerRolloutActions';

jest.setTimeout(120_000);

const REGISTRY = 'test-registry';
const MODEL = 'svc-actions';
const JANE = 'user:default/jane';
const BOB = 'user:default/bob';
const ENTITY_REF = 'component:default/svc-actions-scorer';

const registry: ModelRegistry = {
  id: REGISTRY,
  type: 'test',
  async listModels(): Promise<RegisteredModel[]> {
    return [{ registryId: REGISTRY, name: MODEL, aliases: {}, tags: {} }];
  },
  async listVersions(): Promise<ModelVersion[]> {
    return ['5', '6'].map(version => ({
      registryId: REGISTRY,
      name: MODEL,
      version,
      status: 'READY',
      aliases: [],
      tags: {},
      safety: { safety: 'safe', reason: 'ONNX model', flavors: ['onnx'] },
      links: { registry: `http://mlflow.example.com/${MODEL}/${version}` },
    }));
  },
};

let ns: string;
let deployments: ModelDeploymentsService;
let modelCatalog: ModelCatalogService;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const actions = actionsRegistryServiceMock();

const routeWeights = async () =>
  (
    await kubeOk('GET', `${paths.httpRoutes(ns)}/${MODEL}`)
  ).spec.rules[1].backendRefs.map((r: { weight: number }) => r.weight);

beforeAll(async () => {
  ns = await createTestNamespace();
  for (const v of ['5', '6']) await createVersionService(ns, MODEL, v);
  await createRoute(ns, MODEL, [
    { service: `${MODEL}-v5`, weight: 100 },
    { service: `${MODEL}-v6`, weight: 0 },
  ]);

  const knex = await databases.init('SQLITE_3');
  const audit = await createRolloutAuditStore({
    database: mockServices.database({ knex }),
  });
  deployments = createModelDeploymentsService({
    config: await localKubernetesConfig(),
    logger: mockServices.logger.mock(),
  });
  await deployments.start();
  modelCatalog = createModelCatalogService({
    registries: [registry],
    deployments,
    logger: mockServices.logger.mock(),
    sourceTimeoutMs: 10_000,
  });
  const rollouts = createRolloutService({
    routers: createBuiltInTrafficRouters({
      clients: await localClusterClients(),
    }),
    catalog: modelCatalog,
    audit,
    config: new ConfigReader({}),
    logger: mockServices.logger.mock(),
  });

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
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'svc-actions-scorer',
          namespace: 'default',
          annotations: {
            'ml-platform.io/registered-model': `${REGISTRY}/${MODEL}`,
          },
        },
        spec: { type: 'model-service', owner: JANE, lifecycle: 'production' },
      },
    ],
  });

  registerRolloutActions({
    actionsRegistry: actions,
    rollouts,
    audit,
    catalog,
    modelCatalog,
    permissions,
    logger: mockServices.logger.mock(),
  });

  const namespace = ns;
  for (let i = 0; i < 600; i++) {
    const { deployments: found } = await modelCatalog.getModel(MODEL);
    if (found.some(d => d.namespace === namespace && d.router)) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`The catalog never showed ${MODEL} in ${ns}`);
});

afterAll(async () => {
  await deployments?.stop();
  await deleteTestNamespace(ns);
});

describe('rollout actions on the local apiserver', () => {
  it('refuses a non-owner without touching the route, then applies for the owner; both are in the trail', async () => {
    const input = {
      model: MODEL,
      cluster: 'local',
      namespace: ns,
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
    expect(await routeWeights()).toEqual([100, 0]);

    const { output } = await actions.invoke({
      id: 'test:apply-model-rollout',
      input,
      credentials: mockCredentials.user(JANE),
    });
    expect(await routeWeights()).toEqual([80, 20]);
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
      input: { model: MODEL, namespace: ns },
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
