export { createModelDeploymentsService } from './createModelDeploymentsService';
export type { ModelDeploymentsOptions } from './createModelDeploymentsService';
export type { ModelDeploymentList, ModelDeploymentsService } from './types';
