export {
  createRolloutAuditStore,
  MAX_AUDIT_PAGE,
} from './createRolloutAuditStore';
export type {
  AuditDeploymentRef,
  NewRolloutAuditRecord,
  RolloutAuditStore,
} from './types';
