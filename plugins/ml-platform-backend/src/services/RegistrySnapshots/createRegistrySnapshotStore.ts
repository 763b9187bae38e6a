import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';
import type { RegistrySnapshotStore, SnapshotHead } from './types';

const TABLE = 'ml_platform_registry_snapshots';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

interface HeadRow {
  registry_id: string;
  /** bigint: a string from PostgreSQL, a number from SQLite. */
  generation: number | string;
  status: string | null;
  data_hash: string | null;
  requests: number | string;
  served: number | string;
  claim_id: string | null;
  /** A Date from PostgreSQL, epoch milliseconds from SQLite. */
  claimed_until: Date | number | string | null;
}

const HEAD_COLUMNS = [
  'registry_id',
  'generation',
  'status',
  'data_hash',
  'requests',
  'served',
  'claim_id',
  'claimed_until',
];

function toHead(row: HeadRow, now: Date): SnapshotHead {
  return {
    registryId: row.registry_id,
    generation: Number(row.generation),
    ...(row.status && { status: JSON.parse(row.status) }),
    ...(row.data_hash && { dataHash: row.data_hash }),
    requests: Number(row.requests),
    served: Number(row.served),
    claimed:
      row.claim_id !== null &&
      row.claimed_until !== null &&
      new Date(row.claimed_until) > now,
  };
}

export async function createRegistrySnapshotStore(options: {
  database: DatabaseService;
}): Promise<RegistrySnapshotStore> {
  const client = await migratedDatabaseClient(options.database);

  return {
    async register(registryIds) {
      if (registryIds.length === 0) return;
      await client(TABLE)
        .insert(registryIds.map(id => ({ registry_id: id })))
        .onConflict('registry_id')
        .ignore();
    },

    async heads() {
      const rows: HeadRow[] = await client(TABLE).select(HEAD_COLUMNS);
      const now = new Date();
      return rows.map(row => toHead(row, now));
    },

    async data(registryId) {
      const [row] = await client(TABLE)
        .select('data', 'data_hash')
        .where('registry_id', registryId)
        .whereNotNull('data');
      if (!row) return undefined;
      const { models, versions } = JSON.parse(
        (await gunzipAsync(row.data)).toString('utf8'),
      );
      return { models, versions, dataHash: row.data_hash };
    },

    async requestRead(registryId) {
      await client(TABLE)
        .where('registry_id', registryId)
        .increment('requests', 1);
      const [row] = await client(TABLE)
        .select('requests')
        .where('registry_id', registryId);
      // Read after the increment: a later request may be counted too, which
      // only makes the ticket wait for a read that started after ours.
      return Number(row.requests);
    },

    async claim(registryId, claimId, leaseMs) {
      const now = new Date();
      const claimed = await client(TABLE)
        .where('registry_id', registryId)
        .where(q => q.whereNull('claim_id').orWhere('claimed_until', '<', now))
        .update({
          claim_id: claimId,
          claimed_until: new Date(now.getTime() + leaseMs),
        });
      if (claimed !== 1) return undefined;
      const [row] = await client(TABLE)
        .select('requests')
        .where('registry_id', registryId);
      return { requests: Number(row.requests) };
    },

    async write(registryId, claimId, read) {
      const [current] = await client(TABLE)
        .select('generation', 'data_hash')
        .where({ registry_id: registryId, claim_id: claimId });
      if (!current) return undefined;

      const update: Record<string, unknown> = {
        generation: client.raw('generation + 1'),
        status: JSON.stringify(read.status),
        served: read.served,
        claim_id: null,
        claimed_until: null,
        updated_at: new Date(),
      };
      let dataHash: string | undefined = current.data_hash ?? undefined;
      if (read.data) {
        const json = JSON.stringify({
          models: read.data.models,
          versions: read.data.versions,
        });
        const hash = createHash('sha256').update(json).digest('hex');
        // An unchanged registry is not written again, and the other
        // replicas see from the hash that they need not reload it.
        if (hash !== dataHash) {
          update.data = await gzipAsync(json);
          update.data_hash = hash;
          dataHash = hash;
        }
      }
      const written = await client(TABLE)
        .where({ registry_id: registryId, claim_id: claimId })
        .update(update);
      if (written !== 1) return undefined;
      return {
        generation: Number(current.generation) + 1,
        ...(dataHash && { dataHash }),
      };
    },

    async release(registryId, claimId) {
      await client(TABLE)
        .where({ registry_id: registryId, claim_id: claimId })
        .update({ claim_id: null, claimed_until: null });
    },
  };
}
