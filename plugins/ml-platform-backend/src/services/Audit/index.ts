export { createRolloutAuditStore } from './createRolloutAuditStore';
export type {
  AuditDeploymentRef,
  NewRolloutAuditRecord,
  RolloutAuditStore,
} from './types';
