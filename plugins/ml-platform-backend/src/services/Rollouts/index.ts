export { createRolloutService } from './createRolloutService';
export { RolloutConflictError } from './RolloutConflictError';
export type { RolloutsConfig } from './readRolloutsConfig';
export type { CurrentSplit, RolloutCatalog, RolloutService } from './types';
export { createServingAliasMover } from './moveServingAlias';
export type {
  AliasChange,
  AliasClient,
  ServingAliasMover,
} from './moveServingAlias';
