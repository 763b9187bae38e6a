import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type {
  GradualRollout,
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import type { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { createRolloutAuditStore } from '../Audit';
import type { RolloutAuditStore } from '../Audit';
import { createModelCatalogService } from '../ModelCatalog';
import type { ModelCatalogService } from '../ModelCatalog';
import { createModelDeploymentsService } from '../ModelDeployments';
import type { ModelDeploymentsService } from '../ModelDeployments';
import { createBuiltInTrafficRouters, createRolloutService } from '../Rollouts';
import type { RolloutService } from '../Rollouts';
import {
  createRoute,
  createVersionService,
} from '../Rollouts/__testUtils__/fixtures';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  localKubernetesConfig,
  paths,
} from '../Rollouts/__testUtils__/localKube';
import { createGradualRolloutService } from './createGradualRolloutService';
import type { GradualRolloutService } from './types';

jest.setTimeout(120_000);

const REGISTRY = 'test-registry';
const ACTOR = 'user:default/jane';
const MODELS = ['grad-steps', 'grad-restart', 'grad-replicas'];
const STEPS = [
  { percent: 20, waitSeconds: 1 },
  { percent: 60, waitSeconds: 2 },
  { percent: 100, waitSeconds: 0 },
];

const registry: ModelRegistry = {
  id: REGISTRY,
  type: 'test',
  async listModels(): Promise<RegisteredModel[]> {
    return MODELS.map(name => ({
      registryId: REGISTRY,
      name,
      aliases: {},
      tags: {},
    }));
  },
  async listVersions(): Promise<ModelVersion[]> {
    return MODELS.flatMap(name =>
      ['5', '6'].map(version => ({
        registryId: REGISTRY,
        name,
        version,
        status: 'READY',
        aliases: [],
        tags: {},
        safety: { safety: 'safe' as const, reason: 'ONNX', flavors: ['onnx'] },
        links: { registry: `http://mlflow.example.com/${name}/${version}` },
      })),
    );
  },
};

let ns: string;
let deployments: ModelDeploymentsService;
let catalog: ModelCatalogService;
let audit: RolloutAuditStore;
let rollouts: RolloutService;
let database: ReturnType<typeof mockServices.database>;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A backend replica's gradual rollout service: the shared database, its own instance. */
const replica = (): Promise<GradualRolloutService> =>
  createGradualRolloutService({
    rollouts,
    database,
    scheduler: mockServices.scheduler.mock(),
    logger: mockServices.logger.mock(),
  });

const routeWeights = async (name: string) =>
  (
    await kubeOk('GET', `${paths.httpRoutes(ns)}/${name}`)
  ).spec.rules[1].backendRefs.map((r: { weight: number }) => r.weight);

/** Services v5 and v6 and a route sending everything to v5; resolves once the catalog sees it. */
async function routedModel(model: string) {
  for (const v of ['5', '6']) await createVersionService(ns, model, v);
  await createRoute(ns, model, [
    { service: `${model}-v5`, weight: 100 },
    { service: `${model}-v6`, weight: 0 },
  ]);
  const namespace = ns;
  for (let i = 0; i < 600; i++) {
    const details = await catalog.getModel(model, REGISTRY);
    const deployment = details.deployments.find(d => d.namespace === namespace);
    if (deployment?.router?.kind === 'HTTPRoute') return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`The catalog never showed ${model} in ${ns}`);
}

/** Runs the task's passes, as the scheduler would, until the rollout is over. */
async function untilFinished(
  id: string,
  runners: GradualRolloutService[],
): Promise<GradualRollout> {
  for (let i = 0; i < 100; i++) {
    await Promise.all(runners.map(r => r.runDueSteps()));
    const rollout = await runners[0].get(id);
    if (rollout.state !== 'running') return rollout;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`Gradual rollout ${id} never finished`);
}

const succeededSteps = async (model: string) =>
  (await audit.list({ model, limit: 100 })).items
    .reverse()
    .map(r => `${r.result} ${r.strategy} ${r.after?.versions[1].percent}`);

beforeAll(async () => {
  ns = await createTestNamespace();
  const knex = await databases.init('SQLITE_3');
  database = mockServices.database({ knex });
  audit = await createRolloutAuditStore({ database });
  deployments = createModelDeploymentsService({
    config: await localKubernetesConfig(),
    logger: mockServices.logger.mock(),
  });
  await deployments.start();
  catalog = createModelCatalogService({
    registries: [registry],
    deployments,
    logger: mockServices.logger.mock(),
    sourceTimeoutMs: 10_000,
  });
  rollouts = createRolloutService({
    routers: createBuiltInTrafficRouters({
      clients: await localClusterClients(),
    }),
    catalog,
    audit,
    config: await localKubernetesConfig(),
    logger: mockServices.logger.mock(),
  });
});

afterAll(async () => {
  await deployments?.stop();
  await deleteTestNamespace(ns);
});

describe('createGradualRolloutService on the local apiserver', () => {
  it('shifts the route step by step to the target, auditing each step', async () => {
    const model = 'grad-steps';
    await routedModel(model);
    const service = await replica();

    const started = await service.start(
      {
        model,
        registryId: REGISTRY,
        cluster: 'local',
        namespace: ns,
        target: { version: '6' },
        steps: STEPS,
      },
      ACTOR,
    );
    expect(started).toMatchObject({ state: 'running', currentStep: 0 });
    expect(await routeWeights(model)).toEqual([80, 20]);

    const startedAt = Date.now();
    const done = await untilFinished(started.id, [service]);
    expect(done).toMatchObject({ state: 'succeeded', currentStep: 2 });
    // the waits were kept: 1 s after the first step, 2 s after the second
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2900);
    expect(await routeWeights(model)).toEqual([0, 100]);
    expect(await succeededSteps(model)).toEqual([
      'succeeded canary 20',
      'succeeded canary 60',
      'succeeded promote 100',
    ]);
    const trail = (await audit.list({ model, limit: 100 })).items;
    expect(trail.every(r => r.actor === ACTOR)).toBe(true);
  });

  it('finishes exactly once after a restart in the middle', async () => {
    const model = 'grad-restart';
    await routedModel(model);
    const service = await replica();
    const { id } = await service.start(
      {
        model,
        cluster: 'local',
        namespace: ns,
        target: { version: '6' },
        steps: STEPS,
      },
      ACTOR,
    );
    for (let i = 0; i < 50 && (await service.get(id)).currentStep < 1; i++) {
      await service.runDueSteps();
      await new Promise(r => setTimeout(r, 200));
    }
    expect(await routeWeights(model)).toEqual([40, 60]);

    // The backend goes away between steps (the first instance is not used
    // again); a new one starts on the same database.
    const restarted = await replica();
    expect(await restarted.get(id)).toMatchObject({
      state: 'running',
      currentStep: 1,
    });
    expect(await untilFinished(id, [restarted])).toMatchObject({
      state: 'succeeded',
    });
    expect(await routeWeights(model)).toEqual([0, 100]);
    expect(await succeededSteps(model)).toEqual([
      'succeeded canary 20',
      'succeeded canary 60',
      'succeeded promote 100',
    ]);
  });

  it('applies each step once when two replicas run the task at the same time', async () => {
    const model = 'grad-replicas';
    await routedModel(model);
    const [a, b] = [await replica(), await replica()];
    const { id } = await a.start(
      {
        model,
        cluster: 'local',
        namespace: ns,
        target: { version: '6' },
        steps: STEPS,
      },
      ACTOR,
    );
    expect(await untilFinished(id, [a, b, a, b])).toMatchObject({
      state: 'succeeded',
      currentStep: 2,
    });
    expect(await routeWeights(model)).toEqual([0, 100]);
    // a second write of a step would show as a conflict or a second success
    expect(await succeededSteps(model)).toEqual([
      'succeeded canary 20',
      'succeeded canary 60',
      'succeeded promote 100',
    ]);
  });
});
