import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  GradualRollout,
  GradualRolloutRequest,
  HealthResponse,
  ModelDetailsResponse,
  ModelListQuery,
  ModelListResponse,
  RolloutAuditPage,
  RolloutRequest,
  RolloutResult,
  RolloutSplit,
  ToolsResponse,
} from '@mlplatform/plugin-ml-platform-common';
import { MlPlatformApi } from './MlPlatformApi';
import { RolloutConflictError } from './RolloutConflictError';
import { RolloutHistoryQuery } from './RolloutHistoryQuery';

const queryString = (query: object) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    // The backend rejects empty values, so an unset filter is left out.
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
};

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
    return this.get(`/models${queryString(query)}`, options?.signal);
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

  async startRollout(request: RolloutRequest): Promise<RolloutResult> {
    const response = await this.fetch('/rollouts', undefined, request);
    if (response.status === 409) {
      const body = await response
        .clone()
        .json()
        .catch(() => undefined);
      if (body?.current && typeof body.resourceVersion === 'string') {
        throw new RolloutConflictError(
          body.error?.message ??
            'The deployment changed since it was read; nothing was applied',
          body.current as RolloutSplit,
          body.resourceVersion,
        );
      }
    }
    return this.parse(response);
  }

  listRolloutHistory(
    model: string,
    query: RolloutHistoryQuery = {},
  ): Promise<RolloutAuditPage> {
    const { registryId, ...rest } = query;
    return this.get(
      `/models/${encodeURIComponent(model)}/rollouts${queryString({
        registry: registryId,
        ...rest,
      })}`,
    );
  }

  startGradualRollout(request: GradualRolloutRequest): Promise<GradualRollout> {
    return this.post('/rollouts/gradual', request);
  }

  getGradualRollout(id: string): Promise<GradualRollout> {
    return this.get(`/rollouts/gradual/${encodeURIComponent(id)}`);
  }

  listGradualRollouts(
    model: string,
    where: { cluster: string; namespace: string },
  ): Promise<{ items: GradualRollout[] }> {
    return this.get(
      `/models/${encodeURIComponent(model)}/rollouts/gradual${queryString(
        where,
      )}`,
    );
  }

  pauseGradualRollout(id: string): Promise<GradualRollout> {
    return this.post(`/rollouts/gradual/${encodeURIComponent(id)}/pause`);
  }

  resumeGradualRollout(id: string): Promise<GradualRollout> {
    return this.post(`/rollouts/gradual/${encodeURIComponent(id)}/resume`);
  }

  abortGradualRollout(id: string): Promise<GradualRollout> {
    return this.post(`/rollouts/gradual/${encodeURIComponent(id)}/abort`);
  }

  private async fetch(
    path: string,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ml-platform');
    if (body === undefined) {
      return this.fetchApi.fetch(`${baseUrl}${path}`, { signal });
    }
    return this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: 'POST',
      signal,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async post<T>(path: string, body?: unknown): Promise<T> {
    return this.parse(await this.fetch(path, undefined, body ?? {}));
  }

  private async parse<T>(response: Response): Promise<T> {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.parse(await this.fetch(path, signal));
  }
}
