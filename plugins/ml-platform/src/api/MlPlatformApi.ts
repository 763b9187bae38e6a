import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  HealthResponse,
  ModelListResponse,
} from '@mlplatform/plugin-ml-platform-common';

/**
 * Client of the ML Platform backend.
 * @public
 */
export interface MlPlatformApi {
  getHealth(): Promise<HealthResponse>;
  listModels(): Promise<ModelListResponse>;
}

/**
 * @public
 */
export const mlPlatformApiRef = createApiRef<MlPlatformApi>({
  id: 'plugin.ml-platform.api',
});
