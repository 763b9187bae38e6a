import type { DatabaseService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type {
  RolloutAuditRecord,
  RolloutOutcome,
  RolloutStrategy,
} from '@mlplatform/plugin-ml-platform-common';
import type { RolloutAuditStore } from './types';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';

const TABLE = 'ml_platform_rollout_audit';
/** The most records one page of the trail may hold. */
export const MAX_AUDIT_PAGE = 500;

interface AuditRow {
  /** A string from PostgreSQL (bigint), a number from SQLite. */
  id: string | number;
  /** A Date from PostgreSQL, epoch milliseconds from SQLite. */
  at: Date | number | string;
  actor: string;
  model: string;
  registry_id: string;
  cluster: string;
  namespace: string;
  router_kind: string | null;
  router_name: string | null;
  strategy: string;
  before: string | null;
  after: string | null;
  result: string;
  error: string | null;
  alias_change: string | null;
}

function toRecord(row: AuditRow): RolloutAuditRecord {
  const json = (text: string | null) => (text ? JSON.parse(text) : undefined);
  const record: RolloutAuditRecord = {
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    model: row.model,
    ...(row.registry_id !== '' && { registryId: row.registry_id }),
    cluster: row.cluster,
    namespace: row.namespace,
    ...(row.router_kind && {
      router: { kind: row.router_kind, name: row.router_name ?? '' },
    }),
    strategy: row.strategy as RolloutStrategy,
    result: row.result as RolloutOutcome,
  };
  const before = json(row.before);
  const after = json(row.after);
  const aliasChange = json(row.alias_change);
  if (before) record.before = before;
  if (after) record.after = after;
  if (row.error) record.error = row.error;
  if (aliasChange) record.aliasChange = aliasChange;
  return record;
}

function parseCursor(before: string | undefined): number | undefined {
  if (before === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(before)) {
    throw new InputError(`Invalid cursor 'before': '${before}'`);
  }
  return Number(before);
}

/**
 * The audit trail of rollouts in the plugin's database (PostgreSQL in
 * production, SQLite in the demo). Records are only ever appended.
 */
export async function createRolloutAuditStore(options: {
  database: DatabaseService;
}): Promise<RolloutAuditStore> {
  const { database } = options;
  const client = await migratedDatabaseClient(database);

  return {
    async record(entry) {
      const at = entry.at ?? new Date();
      const [inserted] = await client(TABLE)
        .insert({
          at,
          actor: entry.actor,
          model: entry.model,
          registry_id: entry.registryId ?? '',
          cluster: entry.cluster,
          namespace: entry.namespace,
          router_kind: entry.router?.kind ?? null,
          router_name: entry.router?.name ?? null,
          strategy: entry.strategy,
          before: entry.before ? JSON.stringify(entry.before) : null,
          after: entry.after ? JSON.stringify(entry.after) : null,
          result: entry.result,
          error: entry.error ?? null,
          alias_change: entry.aliasChange
            ? JSON.stringify(entry.aliasChange)
            : null,
        })
        .returning('id');
      // PostgreSQL and SQLite 3.35+ return `{ id }`; older drivers the bare value.
      const id = typeof inserted === 'object' ? inserted.id : inserted;
      const row = await client<AuditRow>(TABLE).where('id', id).first();
      return toRecord(row!);
    },

    async list({ model, registryId, cluster, namespace, limit, before }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
        throw new InputError(
          `Invalid limit ${limit}: expected an integer from 1 to ${MAX_AUDIT_PAGE}`,
        );
      }
      const cursor = parseCursor(before);
      const query = client<AuditRow>(TABLE).where('model', model);
      if (registryId !== undefined) query.where('registry_id', registryId);
      if (cluster !== undefined) query.where('cluster', cluster);
      if (namespace !== undefined) query.where('namespace', namespace);
      if (cursor !== undefined) query.where('id', '<', cursor);
      // One row more than asked tells whether an older page exists.
      const rows: AuditRow[] = await query
        .orderBy('id', 'desc')
        .limit(limit + 1);
      const items = rows.slice(0, limit).map(toRecord);
      return {
        items,
        ...(rows.length > limit && { nextCursor: items[items.length - 1].id }),
      };
    },

    async latestSucceededPerModel() {
      // One indexed pass: the newest succeeded row of each model.
      const newest = client<AuditRow>(TABLE)
        .max('id')
        .where('result', 'succeeded')
        .groupBy('registry_id', 'model');
      const rows: AuditRow[] = await client<AuditRow>(TABLE).whereIn(
        'id',
        newest,
      );
      return rows.map(toRecord);
    },

    async latestSucceeded({ model, cluster, namespace }) {
      const row = await client<AuditRow>(TABLE)
        .where({ model, cluster, namespace, result: 'succeeded' })
        .orderBy('id', 'desc')
        .first();
      return row ? toRecord(row) : undefined;
    },
  };
}
