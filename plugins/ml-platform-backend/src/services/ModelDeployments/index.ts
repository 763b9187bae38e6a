export { createModelDeploymentsService } from './createModelDeploymentsService';
export type { ModelDeploymentsOptions } from './createModelDeploymentsService';
export type {
  ModelDeploymentList,
  ModelDeploymentsChange,
  ModelDeploymentsService,
} from './types';
