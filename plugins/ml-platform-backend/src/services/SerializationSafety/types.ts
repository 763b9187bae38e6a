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

/** A verdict with what it was made from. */
export interface StoredVerdict {
  verdict: SafetyVerdict;
  /** The classifier that made it; verdicts of another one are made again. */
  classifier?: string;
  /** Of the file listing the verdict was made from. */
  filesFingerprint?: string;
  /** When the files were last listed. */
  checkedAt?: Date;
}

/**
 * Serialization verdicts kept in the plugin's database, so that a restart
 * reads no artifact again.
 */
export interface SafetyVerdictStore {
  /** Every stored verdict of a registry, by {@link verdictKeyString}. */
  load(registryId: string): Promise<Map<string, StoredVerdict>>;
  /** Stores verdicts, replacing what is stored for the same versions. */
  save(
    registryId: string,
    verdicts: Array<VerdictKey & StoredVerdict>,
  ): Promise<void>;
}
