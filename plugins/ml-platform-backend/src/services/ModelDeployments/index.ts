export { createModelDeploymentsService } from './createModelDeploymentsService';
export type { ModelDeploymentsOptions } from './createModelDeploymentsService';
export type {
  ModelDeploymentList,
  ModelDeploymentsChange,
  ModelDeploymentsService,
} from './types';
export { TOOL_SERVICES } from './watchedResources';
