import { randomUUID } from 'node:crypto';
import type {
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
  isError,
} from '@backstage/errors';
import type {
  GradualRollout,
  RolloutRequest,
  RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';
import {
  RolloutConflictError,
  type CurrentSplit,
  type RolloutService,
} from '../Rollouts';
import type { CreatorCheck } from './createCreatorCheck';
import { createGradualRolloutStore } from './createGradualRolloutStore';
import type { GradualRolloutClock, GradualRolloutService } from './types';
import { validateSchedule } from './validateSchedule';

const GRADUAL_ROLLOUTS_TASK_ID = 'ml-platform-gradual-rollouts';

/**
 * A claim this old belongs to a runner that died mid-step (the task times
 * out after one minute; the margin covers a slow apiserver).
 */
const STALE_CLAIM_MS = 5 * 60 * 1000;

const systemClock: GradualRolloutClock = { now: () => new Date() };

const messageOf = (error: unknown) =>
  isError(error) ? error.message : String(error);

/** Each version's share; versions without traffic left out. */
const shares = (split: RolloutSplit | undefined) =>
  (split?.versions ?? [])
    .filter(v => v.percent > 0)
    .map(v => `${v.version} ${v.percent}%`)
    .join(', ') || 'no traffic';

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
 *
 * Before each step writes, it checks that its creator may still change the
 * model's traffic ({@link CreatorCheck}), and that the traffic object is as
 * the previous step left it: when someone else changed the split since (an
 * emergency rollback by hand), the rollout pauses, recording why in the
 * audit trail, rather than overwriting it.
 */
export async function createGradualRolloutService(options: {
  rollouts: RolloutService;
  creatorCheck: CreatorCheck;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  clock?: GradualRolloutClock;
}): Promise<GradualRolloutService> {
  const { rollouts, creatorCheck, logger } = options;
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
    const stepName = `Step ${index + 1} of ${rollout.steps.length} (${
      step.percent
    }% to version ${rollout.targetVersion})`;
    const fail = async (error: unknown) => {
      const reason = `${stepName} failed: ${messageOf(error)}`;
      logger.warn(`Gradual rollout ${rollout.id} of ${where}: ${reason}`);
      await store.stepFailed(rollout.id, claimId, reason, clock.now());
      return { error };
    };
    /** Holds the rollout: the traffic object was changed by someone else. */
    const pause = async (reason: string, seen?: CurrentSplit) => {
      if (seen) {
        await rollouts.recordRefused(request, rollout.createdBy, reason, seen);
      }
      logger.warn(`Gradual rollout ${rollout.id} of ${where}: ${reason}`);
      await store.pausedByWrite(rollout.id, claimId, reason, clock.now());
      return {};
    };
    const changedBy = (now: CurrentSplit, left: RolloutSplit | undefined) =>
      `Gradual rollout ${rollout.id} paused before step ${index + 1} of ${
        rollout.steps.length
      }: ${now.router.kind} ${rollout.namespace}/${
        now.router.name
      } was changed outside it since step ${index} (which left ${shares(
        left,
      )}; now ${shares(
        now.split,
      )}). Nothing was applied. Resume to go on from the split as it is now, or abort.`;

    const guards = await store.stepGuards(rollout.id);
    try {
      await creatorCheck.recheck(
        guards.authorization,
        rollout.model,
        request.registryId ?? '',
      );
    } catch (error) {
      if (NotAllowedError.is(error)) {
        await rollouts.recordRefused(
          request,
          rollout.createdBy,
          `Gradual rollout ${rollout.id}, ${stepName}: ${error.message}`,
        );
      }
      return fail(error);
    }

    let result;
    try {
      let expectedResourceVersion: string | undefined;
      if (guards.lastResourceVersion !== undefined) {
        const now = await rollouts.current(request);
        // Controllers write an object's status (a gateway its conditions,
        // Argo its step), which moves its resourceVersion too: only a
        // changed split is someone else's write.
        const left = guards.lastSplits ?? [];
        if (
          now.resourceVersion !== guards.lastResourceVersion &&
          !left.some(split => shares(split) === shares(now.split))
        ) {
          return pause(changedBy(now, left[0]), now);
        }
        expectedResourceVersion = now.resourceVersion;
      }
      result = await rollouts.apply(
        {
          ...request,
          ...(expectedResourceVersion && { expectedResourceVersion }),
        },
        rollout.createdBy,
      );
    } catch (error) {
      if (error instanceof RolloutConflictError) {
        // Written by someone else between the check and the write; the
        // attempt is in the audit trail as a conflict.
        return pause(
          `Gradual rollout ${rollout.id} paused at step ${index + 1} of ${
            rollout.steps.length
          }: ${messageOf(
            error,
          )} Resume to go on from the split as it is now, or abort.`,
        );
      }
      return fail(error);
    }
    // What the object reads as right after the write, when nobody wrote in
    // between: where a controller owns the weights (Argo Rollouts), not yet
    // what was written, which the controller reaches later.
    const seen = await rollouts.current(request).catch(() => undefined);
    const unchanged =
      seen?.resourceVersion === result.resourceVersion ? [seen.split] : [];
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
      resourceVersion: result.resourceVersion,
      splits: [result.after, ...unchanged],
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
    async start(request, actor, authorization) {
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
        authorization,
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
