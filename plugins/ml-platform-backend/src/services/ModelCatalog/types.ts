import { ModelListResponse } from '@mlplatform/plugin-ml-platform-common';

/**
 * The models of every registered model registry, merged.
 * @public
 */
export interface ModelCatalogService {
  listModels(): Promise<ModelListResponse>;
}
