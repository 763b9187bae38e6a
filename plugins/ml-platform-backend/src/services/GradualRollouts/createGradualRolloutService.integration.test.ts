import { mockServices } from '@backstage/backend-test-utils';
import type { GradualRollout } from '@mlplatform/plugin-ml-platform-common';
import type { RolloutService } from '../Rollouts';
import { testModelRegistry } from '../Rollouts/__testUtils__/testModelRegistry';
import { useRolloutEngineTestBed } from '../Rollouts/__testUtils__/rolloutEngineTestBed';
import { localKubernetesConfig } from '../Rollouts/__testUtils__/localKube';
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

const registry = testModelRegistry({
  id: REGISTRY,
  models: MODELS,
  versions: ['5', '6'],
});

const bed = useRolloutEngineTestBed({ registry });
let rollouts: RolloutService;

beforeAll(async () => {
  rollouts = await bed.rolloutService(await localKubernetesConfig());
});

/** A backend replica's gradual rollout service: the shared database, its own instance. */
const replica = (): Promise<GradualRolloutService> =>
  createGradualRolloutService({
    rollouts,
    database: bed.database,
    scheduler: mockServices.scheduler.mock(),
    logger: mockServices.logger.mock(),
  });

/** Services v5 and v6 and a route sending everything to v5; resolves once the catalog sees it. */
const routedModel = (model: string) =>
  bed.routedModel(model, { '5': 100, '6': 0 });

/** A gradual shift of the model's route from v5 to v6 in STEPS. */
const shiftToV6 = (model: string) => ({
  model,
  cluster: 'local',
  namespace: bed.ns,
  target: { version: '6' },
  steps: STEPS,
});

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
  (await bed.audit.list({ model, limit: 100 })).items
    .reverse()
    .map(r => `${r.result} ${r.strategy} ${r.after?.versions[1].percent}`);

describe('createGradualRolloutService on the local apiserver', () => {
  it('shifts the route step by step to the target, auditing each step', async () => {
    const model = 'grad-steps';
    await routedModel(model);
    const service = await replica();

    const started = await service.start(
      { ...shiftToV6(model), registryId: REGISTRY },
      ACTOR,
    );
    expect(started).toMatchObject({ state: 'running', currentStep: 0 });
    expect(await bed.routeWeights(model)).toEqual([80, 20]);

    const startedAt = Date.now();
    const done = await untilFinished(started.id, [service]);
    expect(done).toMatchObject({ state: 'succeeded', currentStep: 2 });
    // the waits were kept: 1 s after the first step, 2 s after the second
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2900);
    expect(await bed.routeWeights(model)).toEqual([0, 100]);
    expect(await succeededSteps(model)).toEqual([
      'succeeded canary 20',
      'succeeded canary 60',
      'succeeded promote 100',
    ]);
    const trail = (await bed.audit.list({ model, limit: 100 })).items;
    expect(trail.every(r => r.actor === ACTOR)).toBe(true);
  });

  it('finishes exactly once after a restart in the middle', async () => {
    const model = 'grad-restart';
    await routedModel(model);
    const service = await replica();
    const { id } = await service.start(shiftToV6(model), ACTOR);
    for (let i = 0; i < 50 && (await service.get(id)).currentStep < 1; i++) {
      await service.runDueSteps();
      await new Promise(r => setTimeout(r, 200));
    }
    expect(await bed.routeWeights(model)).toEqual([40, 60]);

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
    expect(await bed.routeWeights(model)).toEqual([0, 100]);
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
    const { id } = await a.start(shiftToV6(model), ACTOR);
    expect(await untilFinished(id, [a, b, a, b])).toMatchObject({
      state: 'succeeded',
      currentStep: 2,
    });
    expect(await bed.routeWeights(model)).toEqual([0, 100]);
    // a second write of a step would show as a conflict or a second success
    expect(await succeededSteps(model)).toEqual([
      'succeeded canary 20',
      'succeeded canary 60',
      'succeeded promote 100',
    ]);
  });
});
