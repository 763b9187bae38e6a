import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  HealthResponse,
  ModelListResponse,
} from '@mlplatform/plugin-ml-platform-common';
import { MlPlatformApi } from './MlPlatformApi';

/**
 * Calls the ML Platform backend with the user's Backstage token.
 * @public
 */
export class MlPlatformClient implements MlPlatformApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getHealth(): Promise<HealthResponse> {
    return this.get('/health');
  }

  listModels(): Promise<ModelListResponse> {
    return this.get('/models');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ml-platform');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
