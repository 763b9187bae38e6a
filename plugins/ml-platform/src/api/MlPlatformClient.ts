import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  HealthResponse,
  ModelDetailsResponse,
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

  async getModel(
    name: string,
    registryId?: string,
  ): Promise<ModelDetailsResponse | undefined> {
    const query = registryId
      ? `?registry=${encodeURIComponent(registryId)}`
      : '';
    const response = await this.fetch(
      `/models/${encodeURIComponent(name)}${query}`,
    );
    if (response.status === 404) {
      return undefined;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as ModelDetailsResponse;
  }

  private async fetch(path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ml-platform');
    return this.fetchApi.fetch(`${baseUrl}${path}`);
  }

  private async get<T>(path: string): Promise<T> {
    const response = await this.fetch(path);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
