export { createModelCatalogService } from './createModelCatalogService';
export type { ModelCatalogService } from './types';
