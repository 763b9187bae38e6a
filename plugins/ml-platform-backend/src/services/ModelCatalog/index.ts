export { createModelCatalogService } from './createModelCatalogService';
export type {
  DeploymentSource,
  ModelCatalogService,
  ModelQuery,
} from './types';
