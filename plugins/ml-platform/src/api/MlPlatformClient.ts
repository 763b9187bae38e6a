import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  HealthResponse,
  ModelDetailsResponse,
  ModelListResponse,
  ToolsResponse,
} from '@mlplatform/plugin-ml-platform-common';
import { ModelListQuery } from './ModelListQuery';
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

  listModels(
    query: ModelListQuery = {},
    options?: { signal?: AbortSignal },
  ): Promise<ModelListResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      // The backend rejects empty values, so an unset filter is left out.
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const queryString = params.toString();
    return this.get(
      `/models${queryString ? `?${queryString}` : ''}`,
      options?.signal,
    );
  }

  getTools(): Promise<ToolsResponse> {
    return this.get('/tools');
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

  private async fetch(path: string, signal?: AbortSignal): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ml-platform');
    return this.fetchApi.fetch(`${baseUrl}${path}`, { signal });
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.fetch(path, signal);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
