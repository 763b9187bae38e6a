import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  HealthResponse,
  ModelDetailsResponse,
  ModelListResponse,
  ToolsResponse,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelListQuery } from './ModelListQuery';

/**
 * Client of the ML Platform backend.
 * @public
 */
export interface MlPlatformApi {
  getHealth(): Promise<HealthResponse>;
  /** One page of the models that match the query, sorted by name. */
  listModels(
    query?: ModelListQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ModelListResponse>;
  /** Resolves undefined when no registry has the model. */
  getModel(
    name: string,
    registryId?: string,
  ): Promise<ModelDetailsResponse | undefined>;
  /** The MLflow, ZenML and lakeFS dashboards found, with their health. */
  getTools(): Promise<ToolsResponse>;
}

/**
 * @public
 */
export const mlPlatformApiRef = createApiRef<MlPlatformApi>({
  id: 'plugin.ml-platform.api',
});
