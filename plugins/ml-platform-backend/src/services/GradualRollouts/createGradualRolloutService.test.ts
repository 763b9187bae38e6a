import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import type {
  RolloutRequest,
  RolloutResult,
  RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';
import { postgresTestDatabaseIds } from 'platform-tests';
import {
  RolloutConflictError,
  type CurrentSplit,
  type RolloutService,
} from '../Rollouts';
import { AUTHORIZED, creatorCheckStub } from './__testUtils__/creatorChecks';
import { createGradualRolloutService } from './createGradualRolloutService';
import type { GradualRolloutRequest } from '@mlplatform/plugin-ml-platform-common';

jest.setTimeout(60_000);

// PostgreSQL (production's database) and SQLite (the demo's).
const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const JANE = 'user:default/jane';
const T0 = Date.parse('2026-11-29T10:00:00.000Z');

/** A clock the test moves by hand. */
function manualClock() {
  let now = T0;
  return {
    now: () => new Date(now),
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

/**
 * The rollout service's interface over one traffic object, recording each
 * applied request: a write sets the target's share (the rest to version 5)
 * and moves the object's resourceVersion, and refuses a stale
 * `expectedResourceVersion` as the real one does. `delayMs` keeps a step in
 * flight long enough for a second runner to race it.
 */
function fakeRollouts(
  options: {
    delayMs?: number;
    refuse?: (request: RolloutRequest) => Error | undefined;
  } = {},
) {
  const applied: Array<{ request: RolloutRequest; actor: string }> = [];
  const refused: Array<{ actor: string; reason: string }> = [];
  // One traffic object per deployment (namespace).
  const objects = new Map<
    string,
    { resourceVersion: number; target: number }
  >();
  const objectOf = (namespace: string) => {
    if (!objects.has(namespace)) {
      objects.set(namespace, { resourceVersion: 1, target: 0 });
    }
    return objects.get(namespace)!;
  };
  const split = (namespace: string): RolloutSplit => {
    const { target } = objectOf(namespace);
    return {
      versions: [
        { version: '5', weight: 100 - target, percent: 100 - target },
        { version: '6', weight: target, percent: target },
      ],
    };
  };
  const current = (namespace: string): CurrentSplit => ({
    router: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name: 'r',
    },
    split: split(namespace),
    resourceVersion: String(objectOf(namespace).resourceVersion),
  });
  const service: RolloutService = {
    async apply(request, actor) {
      if (options.delayMs) {
        await new Promise(r => setTimeout(r, options.delayMs));
      }
      const refusal = options.refuse?.(request);
      if (refusal) throw refusal;
      const object = objectOf(request.namespace);
      if (
        request.expectedResourceVersion !== undefined &&
        request.expectedResourceVersion !== String(object.resourceVersion)
      ) {
        const now = current(request.namespace);
        throw new RolloutConflictError(
          'The HTTPRoute changed since it was read.',
          now.split,
          now.resourceVersion,
        );
      }
      applied.push({ request, actor });
      object.target = request.target?.percent ?? 0;
      object.resourceVersion += 1;
      return {
        auditId: String(applied.length),
        after: split(request.namespace),
        resourceVersion: String(object.resourceVersion),
      } as RolloutResult;
    },
    async recordRefused(_request, actor, reason) {
      refused.push({ actor, reason });
    },
    async current(request) {
      return current(request.namespace);
    },
  };
  return {
    service,
    applied,
    refused,
    /**
     * A write by someone else to the ml-prod deployment's object: `target` %
     * to version 6, or the split unchanged (a status write).
     */
    writeByHand(target?: number) {
      const object = objectOf('ml-prod');
      object.target = target ?? object.target;
      object.resourceVersion += 1;
    },
  };
}

const schedule = (
  overrides: Partial<GradualRolloutRequest> = {},
): GradualRolloutRequest => ({
  model: 'fraud-detector',
  registryId: 'mlflow',
  cluster: 'prod',
  namespace: 'ml-prod',
  target: { version: '6' },
  steps: [
    { percent: 10, waitSeconds: 60 },
    { percent: 50, waitSeconds: 120 },
    { percent: 100, waitSeconds: 0 },
  ],
  ...overrides,
});

const stepsOf = (applied: Array<{ request: RolloutRequest }>) =>
  applied.map(a => `${a.request.strategy} ${a.request.target?.percent}`);

async function setUp(
  databaseId: Parameters<typeof databases.init>[0],
  rolloutOptions: Parameters<typeof fakeRollouts>[0] = {},
) {
  const knex = await databases.init(databaseId);
  const database = mockServices.database({ knex });
  const clock = manualClock();
  const rollouts = fakeRollouts(rolloutOptions);
  const scheduler = mockServices.scheduler.mock();
  const creator = creatorCheckStub();
  const replica = () =>
    createGradualRolloutService({
      rollouts: rollouts.service,
      creatorCheck: creator.check,
      database,
      scheduler,
      logger: mockServices.logger.mock(),
      clock,
    });
  return {
    clock,
    rollouts,
    creator,
    scheduler,
    database,
    replica,
    service: await replica(),
  };
}

describe('createGradualRolloutService', () => {
  it.each(databases.eachSupportedId())(
    'applies the first step at once, each next one when its wait is over, and promotes at 100%%, on %p',
    async databaseId => {
      const { clock, rollouts, scheduler, service } = await setUp(databaseId);
      expect(scheduler.scheduleTask).toHaveBeenCalledWith({
        id: 'ml-platform-gradual-rollouts',
        frequency: { seconds: 5 },
        timeout: { minutes: 1 },
        scope: 'global',
        fn: expect.any(Function),
      });

      const started = await service.start(schedule(), JANE, AUTHORIZED);
      expect(started).toEqual({
        id: expect.any(String),
        model: 'fraud-detector',
        registryId: 'mlflow',
        cluster: 'prod',
        namespace: 'ml-prod',
        targetVersion: '6',
        steps: schedule().steps,
        currentStep: 0,
        state: 'running',
        createdBy: JANE,
        createdAt: '2026-11-29T10:00:00.000Z',
        updatedAt: '2026-11-29T10:00:00.000Z',
        nextStepAt: '2026-11-29T10:01:00.000Z',
      });
      expect(rollouts.applied).toEqual([
        {
          request: {
            model: 'fraud-detector',
            registryId: 'mlflow',
            cluster: 'prod',
            namespace: 'ml-prod',
            strategy: 'canary',
            target: { version: '6', percent: 10 },
          },
          actor: JANE,
        },
      ]);

      clock.advance(59);
      await service.runDueSteps();
      expect(rollouts.applied).toHaveLength(1);

      clock.advance(1);
      await service.runDueSteps();
      expect(await service.get(started.id)).toMatchObject({
        currentStep: 1,
        state: 'running',
        nextStepAt: '2026-11-29T10:03:00.000Z',
      });

      clock.advance(120);
      await service.runDueSteps();
      await service.runDueSteps();
      const done = await service.get(started.id);
      expect(done).toMatchObject({ currentStep: 2, state: 'succeeded' });
      expect(done.nextStepAt).toBeUndefined();
      expect(stepsOf(rollouts.applied)).toEqual([
        'canary 10',
        'canary 50',
        'promote 100',
      ]);
      expect(rollouts.applied.every(a => a.actor === JANE)).toBe(true);

      // nothing is left to run
      clock.advance(3600);
      await service.runDueSteps();
      expect(rollouts.applied).toHaveLength(3);
    },
  );

  it.each(databases.eachSupportedId())(
    'applies each step once when two replicas run the task at the same time, on %p',
    async databaseId => {
      const { clock, rollouts, replica, service } = await setUp(databaseId, {
        delayMs: 50,
      });
      const other = await replica();
      const ids = [];
      for (const namespace of ['ml-prod', 'ml-staging', 'ml-dev']) {
        // the other replica's pass, while start applies the first step
        const starting = service.start(
          schedule({ namespace }),
          JANE,
          AUTHORIZED,
        );
        await new Promise(r => setTimeout(r, 10));
        await other.runDueSteps();
        ids.push((await starting).id);
      }
      expect(rollouts.applied).toHaveLength(3);
      for (let pass = 0; pass < 4; pass++) {
        clock.advance(120);
        await Promise.all([
          service.runDueSteps(),
          other.runDueSteps(),
          other.runDueSteps(),
        ]);
      }
      for (const id of ids) {
        expect(await service.get(id)).toMatchObject({
          state: 'succeeded',
          currentStep: 2,
        });
      }
      expect(rollouts.applied).toHaveLength(9);
      for (const namespace of ['ml-prod', 'ml-staging', 'ml-dev']) {
        expect(
          stepsOf(
            rollouts.applied.filter(a => a.request.namespace === namespace),
          ),
        ).toEqual(['canary 10', 'canary 50', 'promote 100']);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'continues after a restart from the persisted step, on %p',
    async databaseId => {
      const { clock, rollouts, replica, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      clock.advance(60);
      await service.runDueSteps();

      const restarted = await replica();
      expect(await restarted.get(id)).toMatchObject({ currentStep: 1 });
      clock.advance(120);
      await restarted.runDueSteps();
      expect(await restarted.get(id)).toMatchObject({ state: 'succeeded' });
      expect(stepsOf(rollouts.applied)).toEqual([
        'canary 10',
        'canary 50',
        'promote 100',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'holds while paused, goes on when resumed, and stops for good when aborted, on %p',
    async databaseId => {
      const { clock, rollouts, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);

      expect(await service.pause(id, JANE)).toMatchObject({ state: 'paused' });
      await expect(service.pause(id, JANE)).rejects.toThrow(ConflictError);
      clock.advance(3600);
      await service.runDueSteps();
      expect(rollouts.applied).toHaveLength(1);

      expect(await service.resume(id, JANE)).toMatchObject({
        state: 'running',
      });
      await expect(service.resume(id, JANE)).rejects.toThrow(
        /is running: only a paused one can be resumed/,
      );
      await service.runDueSteps();
      expect(stepsOf(rollouts.applied)).toEqual(['canary 10', 'canary 50']);

      const aborted = await service.abort(id, JANE);
      expect(aborted).toMatchObject({ state: 'aborted', currentStep: 1 });
      expect(aborted.nextStepAt).toBeUndefined();
      clock.advance(3600);
      await service.runDueSteps();
      // abort leaves traffic where the last step put it: no write of its own
      expect(rollouts.applied).toHaveLength(2);
      await expect(service.resume(id, JANE)).rejects.toThrow(ConflictError);
      await expect(service.abort(id, JANE)).rejects.toThrow(ConflictError);
      await expect(service.get('nope')).rejects.toThrow(
        "No gradual rollout with id 'nope'",
      );
      await expect(service.pause('nope', JANE)).rejects.toThrow(
        "No gradual rollout with id 'nope'",
      );

      // the deployment is free again
      await expect(
        service.start(schedule(), JANE, AUTHORIZED),
      ).resolves.toMatchObject({
        state: 'running',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'fails on a refused step and does not retry it, on %p',
    async databaseId => {
      const { clock, rollouts, service } = await setUp(databaseId, {
        refuse: r =>
          r.target?.percent === 50
            ? new ConflictError('The HTTPRoute changed')
            : undefined,
      });
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      clock.advance(60);
      await service.runDueSteps();
      const failed = await service.get(id);
      expect(failed).toMatchObject({
        state: 'failed',
        currentStep: 0,
        error: 'Step 2 of 3 (50% to version 6) failed: The HTTPRoute changed',
      });
      expect(failed.nextStepAt).toBeUndefined();
      clock.advance(3600);
      await service.runDueSteps();
      expect(stepsOf(rollouts.applied)).toEqual(['canary 10']);
    },
  );

  it.each(databases.eachSupportedId())(
    'answers start with the refusal of the first step and keeps the rollout as failed, on %p',
    async databaseId => {
      const { service } = await setUp(databaseId, {
        refuse: () =>
          new InputError("Version '9' of 'fraud-detector' is unknown"),
      });
      await expect(
        service.start(schedule({ target: { version: '9' } }), JANE, AUTHORIZED),
      ).rejects.toThrow(InputError);
      expect(await service.list({ model: 'fraud-detector' })).toEqual([
        expect.objectContaining({
          state: 'failed',
          currentStep: -1,
          error:
            "Step 1 of 3 (10% to version 9) failed: Version '9' of 'fraud-detector' is unknown",
        }),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'allows one unfinished gradual rollout per deployment, even when two replicas start one at once, on %p',
    async databaseId => {
      const { rollouts, replica, service } = await setUp(databaseId);
      const other = await replica();
      const results = await Promise.allSettled([
        service.start(schedule(), JANE, AUTHORIZED),
        other.start(schedule(), 'user:default/joe', AUTHORIZED),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const rejected = results.find(r => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(
        ConflictError,
      );
      expect(rollouts.applied).toHaveLength(1);

      const { id } = (results.find(r => r.status === 'fulfilled') as any).value;
      await service.pause(id, JANE);
      await expect(service.start(schedule(), JANE, AUTHORIZED)).rejects.toThrow(
        /already has a paused gradual rollout/,
      );
      // another namespace is another deployment
      await expect(
        service.start(schedule({ namespace: 'ml-staging' }), JANE, AUTHORIZED),
      ).resolves.toMatchObject({ state: 'running' });
    },
  );

  it.each(databases.eachSupportedId())(
    'fails, without applying again, a step whose runner died while applying it, on %p',
    async databaseId => {
      const { clock, rollouts, database, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      clock.advance(60);
      // A runner that claims the next step and never comes back.
      const dying = await createGradualRolloutService({
        rollouts: { ...rollouts.service, apply: () => new Promise(() => {}) },
        creatorCheck: creatorCheckStub().check,
        database,
        scheduler: mockServices.scheduler.mock(),
        logger: mockServices.logger.mock(),
        clock,
      });
      void dying.runDueSteps();
      const claimedAt = clock.now().toISOString();
      for (let i = 0; i < 100; i++) {
        if ((await service.get(id)).updatedAt === claimedAt) break;
        await new Promise(r => setTimeout(r, 20));
      }
      expect((await service.get(id)).updatedAt).toBe(claimedAt);

      await service.runDueSteps();
      clock.advance(4 * 60);
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({
        state: 'running',
        currentStep: 0,
      });

      clock.advance(2 * 60);
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({
        state: 'failed',
        currentStep: 0,
        error: expect.stringContaining(
          'The backend stopped while applying step 2; it may or may not have been applied',
        ),
      });
      expect(stepsOf(rollouts.applied)).toEqual(['canary 10']);
    },
  );

  it.each(databases.eachSupportedId())(
    'guards each step by the resourceVersion the step before left, and pauses on a split changed by hand, on %p',
    async databaseId => {
      const { clock, rollouts, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      expect(
        rollouts.applied[0].request.expectedResourceVersion,
      ).toBeUndefined();

      clock.advance(60);
      await service.runDueSteps();
      // Guarded by what step 1 wrote (the object's second resourceVersion).
      expect(rollouts.applied[1].request.expectedResourceVersion).toBe('2');

      // A status write moves the resourceVersion, not the split: on it goes.
      rollouts.writeByHand();
      clock.advance(120);
      // The rollback by hand comes in right after: it must stand.
      rollouts.writeByHand(0);
      await service.runDueSteps();
      const paused = await service.get(id);
      expect(paused).toMatchObject({ state: 'paused', currentStep: 1 });
      expect(paused.error).toBe(
        `Gradual rollout ${id} paused before step 3 of 3: HTTPRoute ml-prod/r was changed outside it since step 2 (which left 5 50%, 6 50%; now 5 100%). Nothing was applied. Resume to go on from the split as it is now, or abort.`,
      );
      expect(rollouts.refused).toEqual([{ actor: JANE, reason: paused.error }]);
      expect(stepsOf(rollouts.applied)).toEqual(['canary 10', 'canary 50']);

      await service.runDueSteps();
      expect(rollouts.applied).toHaveLength(2);
      const resumed = await service.resume(id, JANE);
      expect(resumed.error).toBeUndefined();
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({ state: 'succeeded' });
      expect(stepsOf(rollouts.applied)).toEqual([
        'canary 10',
        'canary 50',
        'promote 100',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'goes on after a write that left the split as the last step did, on %p',
    async databaseId => {
      const { clock, rollouts, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      rollouts.writeByHand();
      clock.advance(60);
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({
        state: 'running',
        currentStep: 1,
      });
      expect(rollouts.applied[1].request.expectedResourceVersion).toBe('3');
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses every step once its creator may no longer act, recording it, on %p',
    async databaseId => {
      const { clock, rollouts, creator, service } = await setUp(databaseId);
      const { id } = await service.start(schedule(), JANE, AUTHORIZED);
      expect(creator.recheck).toHaveBeenCalledTimes(1);
      creator.revoke('user:default/jane is no longer in the catalog');
      clock.advance(60);
      await service.runDueSteps();
      expect(await service.get(id)).toMatchObject({
        state: 'failed',
        currentStep: 0,
        error:
          'Step 2 of 3 (50% to version 6) failed: The creator may no longer change the traffic of model: user:default/jane is no longer in the catalog',
      });
      expect(rollouts.refused).toEqual([
        {
          actor: JANE,
          reason: `Gradual rollout ${id}, Step 2 of 3 (50% to version 6): The creator may no longer change the traffic of model: user:default/jane is no longer in the catalog`,
        },
      ]);
      expect(stepsOf(rollouts.applied)).toEqual(['canary 10']);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists the rollouts of a model, newest first, narrowed to a deployment, on %p',
    async databaseId => {
      const { clock, service } = await setUp(databaseId);
      const prod = await service.start(schedule(), JANE, AUTHORIZED);
      clock.advance(1);
      const staging = await service.start(
        schedule({ namespace: 'ml-staging', registryId: undefined }),
        JANE,
        AUTHORIZED,
      );
      await service.start(
        schedule({ model: 'churn-predictor' }),
        JANE,
        AUTHORIZED,
      );

      const all = await service.list({ model: 'fraud-detector' });
      expect(all.map(r => r.id)).toEqual([staging.id, prod.id]);
      expect(all[0].registryId).toBeUndefined();
      expect(
        (
          await service.list({
            model: 'fraud-detector',
            cluster: 'prod',
            namespace: 'ml-prod',
          })
        ).map(r => r.id),
      ).toEqual([prod.id]);
      expect(
        await service.list({ model: 'fraud-detector', cluster: 'dev' }),
      ).toEqual([]);
    },
  );

  it('rejects a schedule that could not run to the end, naming the field', async () => {
    const { rollouts, service } = await setUp('SQLITE_3');
    const bad: Array<[Partial<GradualRolloutRequest>, string]> = [
      [{ steps: [] }, "'steps' must list at least one step"],
      [
        { steps: [{ percent: 50, waitSeconds: 0 }] },
        "'steps[0].percent' must be 100",
      ],
      [
        {
          steps: [
            { percent: 50, waitSeconds: 0 },
            { percent: 50, waitSeconds: 0 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        "'steps[1].percent' must be greater than the step before (50), got 50",
      ],
      [
        {
          steps: [
            { percent: 0, waitSeconds: 0 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        "'steps[0].percent' must be an integer from 1 to 100, got 0",
      ],
      [
        {
          steps: [
            { percent: 10.5, waitSeconds: 0 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        "'steps[0].percent' must be an integer from 1 to 100",
      ],
      [
        {
          steps: [
            { percent: 10, waitSeconds: -1 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        "'steps[0].waitSeconds' must be from 0 to 86400 (one day), got -1",
      ],
      [
        {
          steps: [
            { percent: 10, waitSeconds: 86401 },
            { percent: 100, waitSeconds: 0 },
          ],
        },
        "'steps[0].waitSeconds' must be from 0 to 86400",
      ],
      [
        { target: { version: '' } },
        "'target.version' must be a non-empty string",
      ],
      [{ namespace: '' }, "'namespace' must be a non-empty string"],
    ];
    for (const [overrides, message] of bad) {
      const attempt = service.start(schedule(overrides), JANE, AUTHORIZED);
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect(rollouts.applied).toEqual([]);
    expect(await service.list({ model: 'fraud-detector' })).toEqual([]);
  });
});
