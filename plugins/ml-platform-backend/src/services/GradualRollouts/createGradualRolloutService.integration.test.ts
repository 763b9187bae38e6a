import { mockServices } from '@backstage/backend-test-utils';
import type { GradualRollout } from '@mlplatform/plugin-ml-platform-common';
import type { RolloutService } from '../Rollouts';
import { testModelRegistry } from '../Rollouts/__testUtils__/testModelRegistry';
import { useRolloutEngineTestBed } from '../Rollouts/__testUtils__/rolloutEngineTestBed';
import {
  kubeOk,
  localKubernetesConfig,
  paths,
} from '../Rollouts/__testUtils__/localKube';
import { createArgoRollout } from '../Rollouts/__testUtils__/argoFixtures';
import { createGradualRolloutService } from './createGradualRolloutService';
import type { GradualRolloutService } from './types';
import { AUTHORIZED, creatorCheckStub } from './__testUtils__/creatorChecks';

jest.setTimeout(120_000);

const REGISTRY = 'test-registry';
const ACTOR = 'user:default/jane';
const MODELS = [
  'grad-steps',
  'grad-restart',
  'grad-replicas',
  'grad-manual',
  'grad-status',
  'grad-revoked',
  'grad-argo',
  'grad-abort',
];
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
const replica = (
  creatorCheck = creatorCheckStub().check,
): Promise<GradualRolloutService> =>
  createGradualRolloutService({
    rollouts,
    creatorCheck,
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

/** The route as the apiserver has it, and a JSON Patch of it, as an operator would send by hand. */
const routePath = (model: string) => `${paths.httpRoutes(bed.ns)}/${model}`;
const patchRoute = (model: string, operations: object[], status = false) =>
  kubeOk(
    'PATCH',
    `${routePath(model)}${status ? '/status' : ''}`,
    operations,
    'application/json-patch+json',
  );

/** The first step, then the runner's passes until the next step is due and tried. */
async function startThenWaitOneStep(
  service: GradualRolloutService,
  model: string,
) {
  const { id } = await service.start(
    {
      ...shiftToV6(model),
      steps: [
        { percent: 20, waitSeconds: 1 },
        { percent: 100, waitSeconds: 0 },
      ],
    },
    ACTOR,
    AUTHORIZED,
  );
  expect(await bed.routeWeights(model)).toEqual([80, 20]);
  return id;
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
      AUTHORIZED,
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
    const { id } = await service.start(shiftToV6(model), ACTOR, AUTHORIZED);
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
    const { id } = await a.start(shiftToV6(model), ACTOR, AUTHORIZED);
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

  it('pauses instead of overwriting a split changed by hand since the last step, and says so in the audit trail', async () => {
    const model = 'grad-manual';
    await routedModel(model);
    const service = await replica();
    const id = await startThenWaitOneStep(service, model);

    // An emergency rollback by hand: all traffic back to v5.
    await patchRoute(model, [
      { op: 'replace', path: '/spec/rules/1/backendRefs/0/weight', value: 100 },
      { op: 'replace', path: '/spec/rules/1/backendRefs/1/weight', value: 0 },
    ]);
    const manual = await kubeOk('GET', routePath(model));

    await new Promise(r => setTimeout(r, 1100));
    await service.runDueSteps();
    const paused = await service.get(id);
    expect(paused).toMatchObject({ state: 'paused', currentStep: 0 });
    expect(paused.error).toMatch(
      new RegExp(
        `^Gradual rollout ${id} paused before step 2 of 2: HTTPRoute ${bed.ns}/${model} was changed outside it since step 1 \\(which left 5 80%, 6 20%; now 5 100%\\)\\. Nothing was applied\\.`,
      ),
    );
    // The hand's write stands, untouched.
    const after = await kubeOk('GET', routePath(model));
    expect(after.metadata.resourceVersion).toBe(
      manual.metadata.resourceVersion,
    );
    expect(await bed.routeWeights(model)).toEqual([100, 0]);
    const [latest] = (await bed.audit.list({ model, limit: 1 })).items;
    expect(latest).toMatchObject({
      actor: ACTOR,
      strategy: 'promote',
      result: 'refused',
      error: paused.error,
      router: { kind: 'HTTPRoute', name: model },
      before: {
        versions: [
          { version: '5', weight: 100, percent: 100 },
          { version: '6', weight: 0, percent: 0 },
        ],
      },
    });

    // Nothing more while paused; a resume goes on from the split as it is.
    await service.runDueSteps();
    expect(await bed.routeWeights(model)).toEqual([100, 0]);
    await service.resume(id, ACTOR);
    expect(await untilFinished(id, [service])).toMatchObject({
      state: 'succeeded',
    });
    expect(await bed.routeWeights(model)).toEqual([0, 100]);
  });

  it("goes on when only the route's status moved its resourceVersion", async () => {
    const model = 'grad-status';
    await routedModel(model);
    const service = await replica();
    const id = await startThenWaitOneStep(service, model);
    const before = await kubeOk('GET', routePath(model));
    // What a gateway controller writes: the route's conditions.
    await patchRoute(
      model,
      [
        {
          op: 'add',
          path: '/status',
          value: {
            parents: [
              {
                parentRef: { name: 'ml-gateway' },
                controllerName: 'example.com/gateway-controller',
                conditions: [
                  {
                    type: 'Accepted',
                    status: 'True',
                    reason: 'Accepted',
                    message: 'checked by the test',
                    lastTransitionTime: new Date().toISOString(),
                    observedGeneration: before.metadata.generation,
                  },
                ],
              },
            ],
          },
        },
      ],
      true,
    );
    const statusWritten = await kubeOk('GET', routePath(model));
    expect(statusWritten.metadata.resourceVersion).not.toBe(
      before.metadata.resourceVersion,
    );
    expect(await untilFinished(id, [service])).toMatchObject({
      state: 'succeeded',
      currentStep: 1,
    });
    expect(await bed.routeWeights(model)).toEqual([0, 100]);
  });

  it('refuses a step, recording it, once its creator may no longer change the traffic', async () => {
    const model = 'grad-revoked';
    await routedModel(model);
    const check = creatorCheckStub();
    const service = await replica(check.check);
    const id = await startThenWaitOneStep(service, model);
    const before = await kubeOk('GET', routePath(model));

    check.revoke(
      'permission ml-platform.rollout.execute denied on component:default/x',
    );
    await new Promise(r => setTimeout(r, 1100));
    await service.runDueSteps();
    const failed = await service.get(id);
    expect(failed).toMatchObject({ state: 'failed', currentStep: 0 });
    expect(failed.error).toBe(
      'Step 2 of 2 (100% to version 6) failed: The creator may no longer change the traffic of model: permission ml-platform.rollout.execute denied on component:default/x',
    );
    const after = await kubeOk('GET', routePath(model));
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    const [latest] = (await bed.audit.list({ model, limit: 1 })).items;
    expect(latest).toMatchObject({
      result: 'refused',
      error: expect.stringContaining(`Gradual rollout ${id}, Step 2 of 2`),
    });
  });

  describe('on an Argo Rollout, whose controller owns the weights', () => {
    /** A Rollout paused at 20 % to v6; resolves once the catalog sees it. */
    async function argoAt20(model: string) {
      await createArgoRollout({
        ns: bed.ns,
        name: model,
        model,
        stable: '5',
        canary: '6',
        stepIndex: 1,
      });
      await bed.untilCatalogShows(model, 'Rollout');
    }
    const rolloutPath = (model: string) => `${paths.rollouts(bed.ns)}/${model}`;
    const writeStatus = (model: string, status: object) =>
      kubeOk(
        'PATCH',
        `${rolloutPath(model)}/status`,
        { status },
        'application/merge-patch+json',
      );
    const startTo50 = (service: GradualRolloutService, model: string) =>
      service.start(
        {
          ...shiftToV6(model),
          registryId: REGISTRY,
          steps: [
            { percent: 50, waitSeconds: 1 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        ACTOR,
        AUTHORIZED,
      );

    it('goes on when the controller writes the status before it has moved the weights', async () => {
      const model = 'grad-argo';
      await argoAt20(model);
      const service = await replica();
      const { id } = await startTo50(service, model);
      // What Argo's controller writes while it works towards the step: its
      // status, the weights not there yet.
      await writeStatus(model, { message: 'more replicas need to be updated' });
      await new Promise(r => setTimeout(r, 1100));
      expect(await untilFinished(id, [service])).toMatchObject({
        state: 'succeeded',
        currentStep: 1,
      });
    });

    it('pauses on an abort by hand, which sends the traffic back to stable', async () => {
      const model = 'grad-abort';
      await argoAt20(model);
      const service = await replica();
      const { id } = await startTo50(service, model);
      // `kubectl argo rollouts abort`, and the controller's weights after it.
      await writeStatus(model, {
        abort: true,
        canary: { weights: { canary: { weight: 0 }, stable: { weight: 100 } } },
      });
      const aborted = await kubeOk('GET', rolloutPath(model));
      await new Promise(r => setTimeout(r, 1100));
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({
        state: 'paused',
        error: expect.stringContaining(
          `Rollout ${bed.ns}/${model} was changed outside it since step 1`,
        ),
      });
      expect(
        (await kubeOk('GET', rolloutPath(model))).metadata.resourceVersion,
      ).toBe(aborted.metadata.resourceVersion);
    });
  });
});
