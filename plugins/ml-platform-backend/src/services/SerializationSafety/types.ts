import type { SafetyVerdict } from '@mlplatform/plugin-ml-platform-common';

/**
 * Which model version a verdict belongs to. `sourceKey` tells apart the
 * versions of a model deleted and registered again under the same name.
 */
export interface VerdictKey {
  model: string;
  version: string;
  sourceKey: string;
}

/**
 * Serialization verdicts kept in the plugin's database. A version's MLmodel
 * file never changes, so a verdict is read once per version for the life of
 * the database, not once per process.
 */
export interface SafetyVerdictStore {
  /** Every stored verdict of a registry, by {@link verdictKeyString}. */
  load(registryId: string): Promise<Map<string, SafetyVerdict>>;
  /** Stores verdicts; one already stored (by another replica) is kept. */
  save(
    registryId: string,
    verdicts: Array<VerdictKey & { verdict: SafetyVerdict }>,
  ): Promise<void>;
}
