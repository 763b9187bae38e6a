import { ResponseError } from '@backstage/errors';
import type {
  GradualRollout,
  GradualRolloutRequest,
  RolloutAuditPage,
  RolloutRequest,
  RolloutResult,
  RolloutSplit,
} from '../rollouts';
import { DefaultApiClient, type TypedResponse } from '../schema/openapi';
import type { ToolsResponse } from '../tools';
import type {
  HealthResponse,
  ModelDetailsResponse,
  ModelListQuery,
  ModelListResponse,
} from '../types';
import type { MlPlatformApi, MlPlatformRequestOptions } from './MlPlatformApi';
import { RolloutConflictError } from './RolloutConflictError';
import type { RolloutHistoryQuery } from './RolloutHistoryQuery';

/** The query without unset filters: the backend rejects empty values. */
function definedOnly<T extends object>(query: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<T>;
}

/**
 * The one client of the ML Platform backend, on the client generated from
 * its OpenAPI spec: answers typed by the spec, errors decoded in one place.
 * In the browser pass the frontend's `fetchApi` (it adds the user's token);
 * in a backend pass `token` per call.
 * @public
 */
export class MlPlatformClient implements MlPlatformApi {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi?: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getHealth(options?: MlPlatformRequestOptions): Promise<HealthResponse> {
    return this.parse(await this.api(options).getHealth({}, options));
  }

  async listModels(
    query: ModelListQuery = {},
    options?: MlPlatformRequestOptions,
  ): Promise<ModelListResponse> {
    const { deployed, ...rest } = query;
    return this.parse(
      await this.api(options).listModels(
        {
          query: definedOnly({
            ...rest,
            ...(deployed !== undefined && {
              deployed: deployed ? ('true' as const) : ('false' as const),
            }),
          }),
        },
        options,
      ),
    );
  }

  async getModel(
    name: string,
    registryId?: string,
    options?: MlPlatformRequestOptions,
  ): Promise<ModelDetailsResponse | undefined> {
    const response = await this.api(options).getModel(
      { path: { name }, query: definedOnly({ registry: registryId }) },
      options,
    );
    if (response.status === 404) {
      return undefined;
    }
    return this.parse(response);
  }

  async getTools(options?: MlPlatformRequestOptions): Promise<ToolsResponse> {
    return this.parse(await this.api(options).listTools({}, options));
  }

  async startRollout(
    request: RolloutRequest,
    options?: MlPlatformRequestOptions,
  ): Promise<RolloutResult> {
    const response = await this.api(options).applyRollout(
      { body: request },
      options,
    );
    if (response.status === 409) {
      const conflict = await this.conflictOf(response);
      if (conflict) throw conflict;
    }
    return this.parse(response);
  }

  async listRolloutHistory(
    model: string,
    query: RolloutHistoryQuery = {},
    options?: MlPlatformRequestOptions,
  ): Promise<RolloutAuditPage> {
    const { registryId, ...rest } = query;
    return this.parse(
      await this.api(options).listModelRollouts(
        {
          path: { name: model },
          query: definedOnly({ registry: registryId, ...rest }),
        },
        options,
      ),
    );
  }

  async startGradualRollout(
    request: GradualRolloutRequest,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout> {
    return this.parse(
      await this.api(options).startGradualRollout({ body: request }, options),
    );
  }

  async getGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout> {
    return this.parse(
      await this.api(options).getGradualRollout({ path: { id } }, options),
    );
  }

  async listGradualRollouts(
    model: string,
    where: { cluster: string; namespace: string },
    options?: MlPlatformRequestOptions,
  ): Promise<{ items: GradualRollout[] }> {
    return this.parse(
      await this.api(options).listModelGradualRollouts(
        { path: { name: model }, query: where },
        options,
      ),
    );
  }

  async pauseGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout> {
    return this.parse(
      await this.api(options).pauseGradualRollout({ path: { id } }, options),
    );
  }

  async resumeGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout> {
    return this.parse(
      await this.api(options).resumeGradualRollout({ path: { id } }, options),
    );
  }

  async abortGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout> {
    return this.parse(
      await this.api(options).abortGradualRollout({ path: { id } }, options),
    );
  }

  /**
   * The generated client for one call; with a signal its fetch carries it,
   * as the generated client has no signal of its own.
   */
  private api(options?: MlPlatformRequestOptions): DefaultApiClient {
    const fetchImpl = this.fetchApi?.fetch ?? globalThis.fetch;
    const signal = options?.signal;
    return new DefaultApiClient({
      discoveryApi: this.discoveryApi,
      fetchApi: {
        fetch: signal
          ? (input, init) => fetchImpl(input, { ...init, signal })
          : fetchImpl,
      },
    });
  }

  /** The answer's body as the spec types it, or the backend's error. */
  private async parse<T>(response: TypedResponse<T>): Promise<T> {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response as Response);
    }
    return response.json();
  }

  /** A 409 that carries the split as it is now (RolloutConflictResponse). */
  private async conflictOf(
    response: TypedResponse<RolloutResult>,
  ): Promise<RolloutConflictError | undefined> {
    const body = await (response as Response)
      .clone()
      .json()
      .catch(() => undefined);
    if (!body?.current || typeof body.resourceVersion !== 'string') {
      return undefined;
    }
    return new RolloutConflictError(
      body.error?.message ??
        'The deployment changed since it was read; nothing was applied',
      body.current as RolloutSplit,
      body.resourceVersion,
    );
  }
}
