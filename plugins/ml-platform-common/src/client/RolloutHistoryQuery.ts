/**
 * Which part of a model's rollout audit trail to read.
 * @public
 */
export interface RolloutHistoryQuery {
  registryId?: string;
  cluster?: string;
  namespace?: string;
  limit?: number;
  /** The `nextCursor` of the previous page. */
  before?: string;
}
