import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type {
  GradualRollout,
  RolloutSplit,
} from '@mlplatform/plugin-ml-platform-common';
import type { CreatorAuthorization } from './createCreatorCheck';
import type { GradualRolloutFilter } from './types';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';

type State = GradualRollout['state'];

const TABLE = 'ml_platform_gradual_rollouts';

interface Row {
  id: string;
  model: string;
  registry_id: string;
  cluster: string;
  namespace: string;
  target_version: string;
  steps: string;
  current_step: number;
  state: string;
  created_by: string;
  /** Dates come back as Date from PostgreSQL, epoch milliseconds from SQLite. */
  created_at: Date | number | string;
  updated_at: Date | number | string;
  next_step_at: Date | number | string | null;
  claim_id: string | null;
  claimed_at: Date | number | string | null;
  error: string | null;
  last_resource_version: string | null;
  last_split: string | null;
  creator_authorization: string | null;
}

/** What a step checks before it writes; never part of the API's answers. */
export interface StepGuards {
  /** The traffic object's resourceVersion the last applied step left. */
  lastResourceVersion?: string;
  /**
   * The splits the last applied step may have left: the one it wrote, and
   * the one read right after (which differs where a controller owns the
   * weights, as Argo Rollouts' does, and has not caught up yet).
   */
  lastSplits?: RolloutSplit[];
  authorization?: CreatorAuthorization;
}

const iso = (value: Date | number | string) => new Date(value).toISOString();

function toGradualRollout(row: Row): GradualRollout {
  return {
    id: row.id,
    model: row.model,
    ...(row.registry_id !== '' && { registryId: row.registry_id }),
    cluster: row.cluster,
    namespace: row.namespace,
    targetVersion: row.target_version,
    steps: JSON.parse(row.steps),
    currentStep: Number(row.current_step),
    state: row.state as State,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    ...(row.next_step_at !== null && { nextStepAt: iso(row.next_step_at) }),
    ...(row.error !== null && { error: row.error }),
  };
}

/** A unique index refused the row: PostgreSQL's and SQLite's own codes. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The rows of gradual rollouts. Every change of a rollout is one conditional
 * UPDATE, so that replicas racing on the same row never both win.
 */
export async function createGradualRolloutStore(database: DatabaseService) {
  const client = await migratedDatabaseClient(database);
  const read = async (id: string) => {
    const row = await client<Row>(TABLE).where('id', id).first();
    return row && toGradualRollout(row);
  };

  return {
    get: read,

    /** What the next step of a rollout checks before it writes. */
    async stepGuards(id: string): Promise<StepGuards> {
      const row = await client<Row>(TABLE)
        .select('last_resource_version', 'last_split', 'creator_authorization')
        .where('id', id)
        .first();
      const json = (text: string | null | undefined) =>
        text ? JSON.parse(text) : undefined;
      return {
        lastResourceVersion: row?.last_resource_version ?? undefined,
        lastSplits: json(row?.last_split),
        authorization: json(row?.creator_authorization),
      };
    },

    /** Inserts a new rollout with its first step already claimed by `claimId`. */
    async insert(
      rollout: GradualRollout,
      claimId: string,
      authorization: CreatorAuthorization,
    ): Promise<GradualRollout> {
      try {
        await client(TABLE).insert({
          id: rollout.id,
          model: rollout.model,
          registry_id: rollout.registryId ?? '',
          cluster: rollout.cluster,
          namespace: rollout.namespace,
          target_version: rollout.targetVersion,
          steps: JSON.stringify(rollout.steps),
          current_step: rollout.currentStep,
          state: rollout.state,
          created_by: rollout.createdBy,
          created_at: new Date(rollout.createdAt),
          updated_at: new Date(rollout.updatedAt),
          next_step_at: rollout.nextStepAt
            ? new Date(rollout.nextStepAt)
            : null,
          claim_id: claimId,
          claimed_at: new Date(rollout.createdAt),
          creator_authorization: JSON.stringify(authorization),
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(
            `Model '${rollout.model}' already has an unfinished gradual rollout in ${rollout.cluster}/${rollout.namespace}; abort it first`,
          );
        }
        throw error;
      }
      return (await read(rollout.id))!;
    },

    /** The running or paused rollout of a deployment, if any. */
    async findActive(model: string, cluster: string, namespace: string) {
      const row = await client<Row>(TABLE)
        .where({ model, cluster, namespace })
        .whereIn('state', ['running', 'paused'])
        .first();
      return row && toGradualRollout(row);
    },

    async list(filter: GradualRolloutFilter): Promise<GradualRollout[]> {
      const query = client<Row>(TABLE).where('model', filter.model);
      if (filter.registryId !== undefined) {
        query.whereIn('registry_id', [filter.registryId, '']);
      }
      if (filter.cluster !== undefined) query.where('cluster', filter.cluster);
      if (filter.namespace !== undefined) {
        query.where('namespace', filter.namespace);
      }
      const rows: Row[] = await query
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(100);
      return rows.map(toGradualRollout);
    },

    /** Ids of running rollouts whose next step is due and not being applied. */
    async dueIds(now: Date): Promise<string[]> {
      const rows: Array<{ id: string }> = await client<Row>(TABLE)
        .select('id')
        .where('state', 'running')
        .whereNull('claim_id')
        .where('next_step_at', '<=', now)
        .orderBy('next_step_at');
      return rows.map(r => r.id);
    },

    /**
     * Takes the step after `currentStep` for this runner. Only one runner
     * gets 1 back: the others see the claim, or a moved `current_step`.
     */
    async claim(id: string, currentStep: number, claimId: string, now: Date) {
      return client<Row>(TABLE)
        .where({ id, state: 'running', current_step: currentStep })
        .whereNull('claim_id')
        .where('next_step_at', '<=', now)
        .update({ claim_id: claimId, claimed_at: now, updated_at: now });
    },

    /**
     * Records the claimed step as applied. The last one finishes the rollout,
     * unless it was aborted meanwhile; a pause taken meanwhile holds.
     */
    async stepApplied(options: {
      id: string;
      claimId: string;
      step: number;
      last: boolean;
      nextStepAt: Date | null;
      now: Date;
      /** What the write left, for the next step to compare with. */
      resourceVersion: string;
      splits: RolloutSplit[];
    }) {
      const { id, claimId, step, last, nextStepAt, now } = options;
      const updated = await client<Row>(TABLE)
        .where({ id, claim_id: claimId })
        .update({
          current_step: step,
          claim_id: null,
          claimed_at: null,
          updated_at: now,
          next_step_at: nextStepAt,
          last_resource_version: options.resourceVersion,
          last_split: JSON.stringify(options.splits),
          ...(last && {
            state: client.raw(
              `CASE WHEN state IN ('running', 'paused') THEN 'succeeded' ELSE state END`,
            ),
          }),
        });
      // An abort taken while the step was being applied leaves nothing due.
      await client<Row>(TABLE)
        .where('id', id)
        .whereNotIn('state', ['running', 'paused'])
        .whereNotNull('next_step_at')
        .update({ next_step_at: null });
      return updated;
    },

    /** Ends a rollout whose claimed step failed; an abort taken meanwhile stays. */
    async stepFailed(id: string, claimId: string, error: string, now: Date) {
      return client<Row>(TABLE)
        .where({ id, claim_id: claimId })
        .update({
          state: client.raw(
            `CASE WHEN state = 'aborted' THEN state ELSE 'failed' END`,
          ),
          error,
          claim_id: null,
          claimed_at: null,
          next_step_at: null,
          updated_at: now,
        });
    },

    /**
     * Holds a running rollout whose claimed step found the traffic object
     * changed by someone else. Its guards are cleared: a resume goes on from
     * the split as it is then. An abort taken meanwhile stays.
     */
    async pausedByWrite(id: string, claimId: string, error: string, now: Date) {
      return client<Row>(TABLE)
        .where({ id, claim_id: claimId })
        .update({
          state: client.raw(
            `CASE WHEN state = 'running' THEN 'paused' ELSE state END`,
          ),
          error,
          claim_id: null,
          claimed_at: null,
          updated_at: now,
          last_resource_version: null,
          last_split: null,
        });
    },

    /** Claims older than `claimedBefore`: their runner died mid-step. */
    async staleClaims(claimedBefore: Date) {
      const rows = await client<Row>(TABLE)
        .select('id', 'claim_id')
        .whereNotNull('claim_id')
        .where('claimed_at', '<', claimedBefore);
      return rows.map(r => ({ id: r.id, claimId: r.claim_id! }));
    },

    /** Moves a rollout from one of `from` to `to`; 0 when it was in no such state. */
    async transition(
      id: string,
      from: State[],
      to: State,
      now: Date,
      fields: { nextStepAt?: null } = {},
    ) {
      return client<Row>(TABLE)
        .where('id', id)
        .whereIn('state', from)
        .update({
          state: to,
          updated_at: now,
          ...('nextStepAt' in fields && { next_step_at: null }),
          // Why it paused no longer holds once it goes on.
          ...(to === 'running' && { error: null }),
        });
    },
  };
}
