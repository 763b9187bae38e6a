import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { SafetyVerdict } from '@mlplatform/plugin-ml-platform-common';
import { migratedDatabaseClient } from '../../lib/migratedDatabaseClient';
import type { SafetyVerdictStore, StoredVerdict, VerdictKey } from './types';

const TABLE = 'ml_platform_safety_verdicts';
/** Rows per statement: 8 bindings each stays far below SQLite's limit. */
const BATCH_SIZE = 100;

interface VerdictRow {
  model: string;
  version: string;
  source_key: string;
  verdict: string;
  classifier: string | null;
  files_fingerprint: string | null;
  checked_at: string | Date | null;
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
        .select(
          'model',
          'version',
          'source_key',
          'verdict',
          'classifier',
          'files_fingerprint',
          'checked_at',
        )
        .where('registry_id', registryId);
      return new Map(
        rows.map(row => [
          verdictKeyString({
            model: row.model,
            version: row.version,
            sourceKey: row.source_key,
          }),
          {
            verdict: JSON.parse(row.verdict) as SafetyVerdict,
            classifier: row.classifier ?? undefined,
            filesFingerprint: row.files_fingerprint ?? undefined,
            checkedAt: row.checked_at ? new Date(row.checked_at) : undefined,
          } satisfies StoredVerdict,
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
        classifier: v.classifier ?? null,
        files_fingerprint: v.filesFingerprint ?? null,
        checked_at: v.checkedAt ?? null,
      }));
      for (let i = 0; i < rows.length; i += BATCH_SIZE) {
        // A re-check replaces the verdict; two replicas judging the same
        // files store the same verdict, so the last write may win.
        await client(TABLE)
          .insert(rows.slice(i, i + BATCH_SIZE))
          .onConflict(['registry_id', 'model', 'version', 'source_key'])
          .merge(['verdict', 'classifier', 'files_fingerprint', 'checked_at']);
      }
    },
  };
}
