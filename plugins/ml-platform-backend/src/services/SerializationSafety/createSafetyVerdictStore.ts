import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { SafetyVerdict } from '@mlplatform/plugin-ml-platform-common';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';
import type { SafetyVerdictStore, VerdictKey } from './types';

const TABLE = 'ml_platform_safety_verdicts';
/** Rows per statement: 5 bindings each stays far below SQLite's limit. */
const BATCH_SIZE = 100;

interface VerdictRow {
  model: string;
  version: string;
  source_key: string;
  verdict: string;
}

/** The key of a version in {@link SafetyVerdictStore.load}'s map. */
export function verdictKeyString(key: VerdictKey): string {
  return JSON.stringify([key.model, key.version, key.sourceKey]);
}

export async function createSafetyVerdictStore(options: {
  database: DatabaseService;
}): Promise<SafetyVerdictStore> {
  const client = await migratedDatabaseClient(options.database);

  return {
    async load(registryId) {
      const rows: VerdictRow[] = await client<VerdictRow>(TABLE)
        .select('model', 'version', 'source_key', 'verdict')
        .where('registry_id', registryId);
      return new Map(
        rows.map(row => [
          verdictKeyString({
            model: row.model,
            version: row.version,
            sourceKey: row.source_key,
          }),
          JSON.parse(row.verdict) as SafetyVerdict,
        ]),
      );
    },

    async save(registryId, verdicts) {
      const rows = verdicts.map(v => ({
        registry_id: registryId,
        model: v.model,
        version: v.version,
        source_key: v.sourceKey,
        verdict: JSON.stringify(v.verdict),
      }));
      for (let i = 0; i < rows.length; i += BATCH_SIZE) {
        // Two replicas may classify the same version; both verdicts are the
        // same, so the first stored stays.
        await client(TABLE)
          .insert(rows.slice(i, i + BATCH_SIZE))
          .onConflict(['registry_id', 'model', 'version', 'source_key'])
          .ignore();
      }
    },
  };
}
