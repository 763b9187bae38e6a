import { randomUUID } from 'node:crypto';
import type {
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError, isError } from '@backstage/errors';
import type {
  GradualRollout,
  RolloutRequest,
} from '@mlplatform/plugin-ml-platform-common';
import type { RolloutService } from '../Rollouts';
import { createGradualRolloutStore } from './createGradualRolloutStore';
import type { GradualRolloutClock, GradualRolloutService } from './types';
import { validateSchedule } from './validateSchedule';

export const GRADUAL_ROLLOUTS_TASK_ID = 'ml-platform-gradual-rollouts';

/**
 * A claim this old belongs to a runner that died mid-step (the task times
 * out after one minute; the margin covers a slow apiserver).
 */
const STALE_CLAIM_MS = 5 * 60 * 1000;

const systemClock: GradualRolloutClock = { now: () => new Date() };

const messageOf = (error: unknown) =>
  isError(error) ? error.message : String(error);

/**
 * Runs gradual rollouts: the schedule lives in the plugin's database and a
 * global scheduled task (one runner across replicas) applies each step when
 * it is due, through the rollout service. A step is claimed with a
 * conditional UPDATE before it is applied, so neither a second runner nor a
 * restart applies it twice.
 *
 * Abort stops the schedule and leaves traffic where the last applied step
 * put it: putting it back is a rollout of its own (split or rollback from
 * the page), chosen by a person who can see the split, rather than a write
 * made on their behalf that could undo a change made since.
 */
export async function createGradualRolloutService(options: {
  rollouts: RolloutService;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  clock?: GradualRolloutClock;
}): Promise<GradualRolloutService> {
  const { rollouts, logger } = options;
  const clock = options.clock ?? systemClock;
  const store = await createGradualRolloutStore(options.database);

  async function mustGet(id: string): Promise<GradualRollout> {
    const rollout = await store.get(id);
    if (!rollout) throw new NotFoundError(`No gradual rollout with id '${id}'`);
    return rollout;
  }

  /** Applies the step after `rollout.currentStep` if this runner claims it. */
  async function runNextStep(rollout: GradualRollout): Promise<void> {
    const claimId = randomUUID();
    const claimed = await store.claim(
      rollout.id,
      rollout.currentStep,
      claimId,
      clock.now(),
    );
    if (claimed === 1) await applyClaimedStep(rollout, claimId);
  }

  /**
   * Applies the step this runner claimed and records how it went; resolves
   * with the step's error, if any.
   */
  async function applyClaimedStep(
    rollout: GradualRollout,
    claimId: string,
  ): Promise<{ error?: unknown }> {
    const index = rollout.currentStep + 1;
    const step = rollout.steps[index];
    const last = index === rollout.steps.length - 1;
    const request: RolloutRequest = {
      model: rollout.model,
      ...(rollout.registryId && { registryId: rollout.registryId }),
      cluster: rollout.cluster,
      namespace: rollout.namespace,
      strategy: last ? 'promote' : 'canary',
      target: { version: rollout.targetVersion, percent: step.percent },
    };
    const where = `${rollout.model} in ${rollout.cluster}/${rollout.namespace}`;
    try {
      await rollouts.apply(request, rollout.createdBy);
    } catch (error) {
      const reason = `Step ${index + 1} of ${rollout.steps.length} (${
        step.percent
      }% to version ${rollout.targetVersion}) failed: ${messageOf(error)}`;
      logger.warn(`Gradual rollout ${rollout.id} of ${where}: ${reason}`);
      await store.stepFailed(rollout.id, claimId, reason, clock.now());
      return { error };
    }
    const now = clock.now();
    await store.stepApplied({
      id: rollout.id,
      claimId,
      step: index,
      last,
      nextStepAt: last
        ? null
        : new Date(now.getTime() + step.waitSeconds * 1000),
      now,
    });
    logger.info(
      `Gradual rollout ${rollout.id} of ${where}: step ${index + 1} of ${
        rollout.steps.length
      } applied, version ${rollout.targetVersion} at ${step.percent}%`,
    );
    return {};
  }

  /** Fails rollouts whose runner died mid-step: whether it was applied is unknown. */
  async function failStaleClaims() {
    const before = new Date(clock.now().getTime() - STALE_CLAIM_MS);
    for (const { id, claimId } of await store.staleClaims(before)) {
      const rollout = await store.get(id);
      const step = (rollout?.currentStep ?? -1) + 2;
      await store.stepFailed(
        id,
        claimId,
        `The backend stopped while applying step ${step}; it may or may not have been applied. Check the traffic split and the rollout history, then start again.`,
        clock.now(),
      );
      logger.warn(`Gradual rollout ${id}: runner died while applying a step`);
    }
  }

  async function runDueSteps(signal?: AbortSignal) {
    await failStaleClaims();
    for (const id of await store.dueIds(clock.now())) {
      if (signal?.aborted) return;
      const rollout = await store.get(id);
      if (rollout) await runNextStep(rollout);
    }
  }

  async function transition(
    id: string,
    from: GradualRollout['state'][],
    to: GradualRollout['state'],
    verb: string,
    actor: string,
    fields: { nextStepAt?: null } = {},
  ) {
    const changed = await store.transition(id, from, to, clock.now(), fields);
    const rollout = await mustGet(id);
    if (changed !== 1) {
      throw new ConflictError(
        `Gradual rollout '${id}' is ${rollout.state}: only a ${from.join(
          ' or ',
        )} one can be ${verb}`,
      );
    }
    logger.info(
      `Gradual rollout ${id} of ${rollout.model} in ${rollout.cluster}/${rollout.namespace} ${verb} by ${actor}`,
    );
    return rollout;
  }

  await options.scheduler.scheduleTask({
    id: GRADUAL_ROLLOUTS_TASK_ID,
    frequency: { seconds: 5 },
    timeout: { minutes: 1 },
    // One runner across replicas, coordinated through the shared database.
    scope: 'global',
    fn: runDueSteps,
  });

  return {
    async start(request, actor) {
      validateSchedule(request);
      const active = await store.findActive(
        request.model,
        request.cluster,
        request.namespace,
      );
      if (active) {
        throw new ConflictError(
          `Model '${request.model}' already has a ${active.state} gradual rollout (${active.id}) in ${request.cluster}/${request.namespace}; abort it first`,
        );
      }
      const now = clock.now().toISOString();
      // Claimed from the start: the first step is applied right here, so
      // that the caller hears of a refusal, and no runner may take it.
      const claimId = randomUUID();
      const created = await store.insert(
        {
          id: randomUUID(),
          model: request.model,
          ...(request.registryId && { registryId: request.registryId }),
          cluster: request.cluster,
          namespace: request.namespace,
          targetVersion: request.target.version,
          steps: request.steps.map(s => ({
            percent: s.percent,
            waitSeconds: s.waitSeconds,
          })),
          currentStep: -1,
          state: 'running',
          createdBy: actor,
          createdAt: now,
          updatedAt: now,
          nextStepAt: now,
        },
        claimId,
      );
      const first = await applyClaimedStep(created, claimId);
      if (first.error) throw first.error;
      return mustGet(created.id);
    },

    get: mustGet,

    list: filter => store.list(filter),

    pause: (id, actor) =>
      transition(id, ['running'], 'paused', 'paused', actor),

    resume: (id, actor) =>
      transition(id, ['paused'], 'running', 'resumed', actor),

    abort: (id, actor) =>
      transition(id, ['running', 'paused'], 'aborted', 'aborted', actor, {
        nextStepAt: null,
      }),

    runDueSteps,
  };
}
