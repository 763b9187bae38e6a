import type {
  RolloutAuditPage,
  RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';

/** An audit record before the store gave it an id. */
export type NewRolloutAuditRecord = Omit<RolloutAuditRecord, 'id' | 'at'> & {
  /** Defaults to now. */
  at?: Date;
};

/** One model's deployment in one cluster and namespace. */
export interface AuditDeploymentRef {
  model: string;
  cluster: string;
  namespace: string;
}

/** The audit trail of rollouts, kept in the plugin's database. */
export interface RolloutAuditStore {
  /** Appends one attempt; resolves with the stored record. */
  record(entry: NewRolloutAuditRecord): Promise<RolloutAuditRecord>;
  /**
   * A model's attempts, newest first, optionally of one cluster and
   * namespace; `before` is the `nextCursor` of the previous page.
   */
  list(query: {
    model: string;
    registryId?: string;
    cluster?: string;
    namespace?: string;
    limit: number;
    before?: string;
  }): Promise<RolloutAuditPage>;
  /** Each model's newest succeeded rollout, in any cluster and namespace. */
  latestSucceededPerModel(): Promise<RolloutAuditRecord[]>;
  /** The newest succeeded attempt on a deployment, what a rollback undoes. */
  latestSucceeded(
    ref: AuditDeploymentRef,
  ): Promise<RolloutAuditRecord | undefined>;
}
