import type {
  ModelRegistryStatus,
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';

/** What the catalog holds of one registry: the last good read and how the last read went. */
export interface RegistrySnapshot {
  models: RegisteredModel[];
  versions: ModelVersion[];
  status: ModelRegistryStatus;
}

/** A registry's row without its data: cheap enough to poll. */
export interface SnapshotHead {
  registryId: string;
  /** Bumped by every write. */
  generation: number;
  /** Absent until a first read has ended. */
  status?: ModelRegistryStatus;
  /** Absent until a first read has succeeded. */
  dataHash?: string;
  /** Reads asked for so far. */
  requests: number;
  /** The value `requests` had when the last stored read started. */
  served: number;
  /** Whether a replica holds an unexpired claim to read it now. */
  claimed: boolean;
}

/**
 * Registry snapshots in the plugin's database, shared by the backend's
 * replicas: one replica claims a registry, reads it and writes what it read;
 * every replica loads it from here.
 */
export interface RegistrySnapshotStore {
  /** Adds the rows of registries not seen before. */
  register(registryIds: string[]): Promise<void>;
  heads(): Promise<SnapshotHead[]>;
  /** The last good read's models and versions, with its hash. */
  data(registryId: string): Promise<
    | {
        models: RegisteredModel[];
        versions: ModelVersion[];
        dataHash: string;
      }
    | undefined
  >;
  /**
   * Asks for a read, and resolves with a ticket: the read is done once a
   * head's `served` has reached it.
   */
  requestRead(registryId: string): Promise<number>;
  /**
   * Claims the registry for a read, unless another replica holds an
   * unexpired claim; resolves with `requests` as of the claim.
   */
  claim(
    registryId: string,
    claimId: string,
    leaseMs: number,
  ): Promise<{ requests: number } | undefined>;
  /**
   * Stores a read made under the claim and releases it; the models and
   * versions are kept as they were when `read` has none (a failed read).
   * Resolves with the new head, or undefined when the claim was lost.
   */
  write(
    registryId: string,
    claimId: string,
    read: {
      served: number;
      status: ModelRegistryStatus;
      data?: { models: RegisteredModel[]; versions: ModelVersion[] };
    },
  ): Promise<{ generation: number; dataHash?: string } | undefined>;
  release(registryId: string, claimId: string): Promise<void>;
}
