export { createRolloutService } from './createRolloutService';
export { RolloutConflictError } from './RolloutConflictError';
export { readRolloutsConfig } from './readRolloutsConfig';
export type { RolloutsConfig } from './readRolloutsConfig';
export type { RolloutCatalog, RolloutService } from './types';
export { createClusterClients } from './kube/createClusterClients';
export type { ClusterClients } from './kube/createClusterClients';
export { createHttpRouteRouter } from './routers/createHttpRouteRouter';
export { createArgoRolloutRouter } from './routers/createArgoRolloutRouter';
export { createInferenceServiceRouter } from './routers/createInferenceServiceRouter';
export { createBuiltInTrafficRouters } from './routers/createBuiltInTrafficRouters';
export { createServingAliasMover } from './moveServingAlias';
export type {
  AliasChange,
  AliasClient,
  ServingAliasMover,
} from './moveServingAlias';
