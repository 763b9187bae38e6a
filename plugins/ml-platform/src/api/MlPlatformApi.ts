import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  HealthResponse,
  ModelDetailsResponse,
  ModelListResponse,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * Client of the ML Platform backend.
 * @public
 */
export interface MlPlatformApi {
  getHealth(): Promise<HealthResponse>;
  listModels(): Promise<ModelListResponse>;
  /** Resolves undefined when no registry has the model. */
  getModel(
    name: string,
    registryId?: string,
  ): Promise<ModelDetailsResponse | undefined>;
}

/**
 * @public
 */
export const mlPlatformApiRef = createApiRef<MlPlatformApi>({
  id: 'plugin.ml-platform.api',
});
