import type { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';
import type {
  FirstServing,
  LeadTimeStore,
  ServingObservation,
  ServingVersionRef,
} from './types';

const TABLE = 'ml_platform_first_serving';
const KEY_COLUMNS = ['registry_id', 'model', 'version'];
/** Rows per statement: 6 bindings each stays far below SQLite's limit. */
const BATCH_SIZE = 100;

interface FirstServingRow {
  registry_id: string;
  model: string;
  version: string;
  cluster: string;
  namespace: string;
  /** A Date from PostgreSQL, epoch milliseconds from SQLite. */
  first_serving_at: Date | number | string;
}

/** The key of a version in {@link LeadTimeStore.firstServing}'s map. */
export function firstServingKey(ref: ServingVersionRef): string {
  return JSON.stringify([ref.registryId ?? '', ref.model, ref.version]);
}

/**
 * The first sighting that applies to a registry's version: its own, or, for
 * the default registry's versions only, that of a deployment naming no
 * registry, whichever came first.
 */
export function firstServingOf(
  firstServing: Map<string, FirstServing>,
  version: { registryId: string; model: string; version: string },
  defaultRegistryId: string | undefined,
): FirstServing | undefined {
  const own = firstServing.get(firstServingKey(version));
  const unnamed =
    version.registryId === defaultRegistryId
      ? firstServing.get(
          firstServingKey({ model: version.model, version: version.version }),
        )
      : undefined;
  if (!own || !unnamed) return own ?? unnamed;
  return unnamed.at < own.at ? unnamed : own;
}

/**
 * The earliest observation per version, the first given winning a tie, in
 * key order: PostgreSQL locks the rows of one statement in the order given,
 * so replicas writing the same versions in different orders would deadlock.
 */
function earliestPerVersion(
  observations: ServingObservation[],
): ServingObservation[] {
  const earliest = new Map<string, ServingObservation>();
  for (const o of observations) {
    if (Number.isNaN(o.at.getTime())) {
      throw new Error(
        `Invalid time for ${o.model} version ${o.version}: ${o.at}`,
      );
    }
    const key = firstServingKey(o);
    const known = earliest.get(key);
    if (!known || o.at < known.at) earliest.set(key, o);
  }
  return [...earliest.keys()].sort().map(key => earliest.get(key)!);
}

/**
 * The first moments model versions served traffic, in the plugin's database
 * (PostgreSQL or SQLite), so that they survive restarts.
 */
export async function createLeadTimeStore(options: {
  database: DatabaseService;
}): Promise<LeadTimeStore> {
  const { database } = options;
  const client = await migratedDatabaseClient(database);

  return {
    async recordServing(observations) {
      const rows = earliestPerVersion(observations).map(o => ({
        registry_id: o.registryId ?? '',
        model: o.model,
        version: o.version,
        cluster: o.cluster,
        namespace: o.namespace,
        first_serving_at: o.at,
      }));
      for (let i = 0; i < rows.length; i += BATCH_SIZE) {
        // One statement per batch, atomic on both databases: a version not
        // yet known is inserted; a known one is only overwritten by an
        // earlier time (the WHERE of ON CONFLICT DO UPDATE), so replicas
        // writing at once end with one row holding the minimum. A plain
        // ignore() would keep whichever replica came first, not the earliest.
        await client(TABLE)
          .insert(rows.slice(i, i + BATCH_SIZE))
          .onConflict(KEY_COLUMNS)
          .merge(['first_serving_at', 'cluster', 'namespace'])
          .where(
            `${TABLE}.first_serving_at`,
            '>',
            client.raw('excluded.first_serving_at'),
          );
      }
    },

    async firstServing(filter) {
      const query = client<FirstServingRow>(TABLE).select();
      if (filter?.model !== undefined) query.where('model', filter.model);
      const rows: FirstServingRow[] = await query;
      return new Map(
        rows.map(row => {
          const first: FirstServing = {
            ...(row.registry_id !== '' && { registryId: row.registry_id }),
            model: row.model,
            version: row.version,
            at: new Date(row.first_serving_at),
            cluster: row.cluster,
            namespace: row.namespace,
          };
          return [firstServingKey(first), first];
        }),
      );
    },
  };
}
