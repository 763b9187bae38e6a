import type {
  GradualRollout,
  GradualRolloutRequest,
  RolloutAuditPage,
  RolloutRequest,
  RolloutResult,
} from '../rollouts';
import type { ToolsResponse } from '../tools';
import type {
  HealthResponse,
  ModelDetailsResponse,
  ModelListQuery,
  ModelListResponse,
} from '../types';
import type { RolloutHistoryQuery } from './RolloutHistoryQuery';

/**
 * Per call: the Backstage token to send (backend callers pass a plugin
 * request token on behalf of the user; the frontend's fetch API adds the
 * user's own) and a signal that cancels the request.
 * @public
 */
export interface MlPlatformRequestOptions {
  token?: string;
  signal?: AbortSignal;
}

/**
 * Client of the ML Platform backend's API (`openapi.yaml`), the one every
 * caller uses: the portal's pages, the scaffolder actions, the catalog
 * provider and the search collator. Rejects with the backend's error as a
 * `ResponseError` of `@backstage/errors`.
 * @public
 */
export interface MlPlatformApi {
  getHealth(options?: MlPlatformRequestOptions): Promise<HealthResponse>;
  /** One page of the models that match the query, sorted by name. */
  listModels(
    query?: ModelListQuery,
    options?: MlPlatformRequestOptions,
  ): Promise<ModelListResponse>;
  /** Resolves undefined when no registry has the model. */
  getModel(
    name: string,
    registryId?: string,
    options?: MlPlatformRequestOptions,
  ): Promise<ModelDetailsResponse | undefined>;
  /** The MLflow, ZenML and lakeFS dashboards found, with their health. */
  getTools(options?: MlPlatformRequestOptions): Promise<ToolsResponse>;
  /**
   * Changes the traffic of one deployment. Rejects with a
   * {@link RolloutConflictError} when the deployment changed since
   * `expectedResourceVersion`, else with the backend's error.
   */
  startRollout(
    request: RolloutRequest,
    options?: MlPlatformRequestOptions,
  ): Promise<RolloutResult>;
  /** The rollouts attempted on a model, newest first. */
  listRolloutHistory(
    model: string,
    query?: RolloutHistoryQuery,
    options?: MlPlatformRequestOptions,
  ): Promise<RolloutAuditPage>;
  startGradualRollout(
    request: GradualRolloutRequest,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout>;
  getGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout>;
  listGradualRollouts(
    model: string,
    where: { cluster: string; namespace: string },
    options?: MlPlatformRequestOptions,
  ): Promise<{ items: GradualRollout[] }>;
  pauseGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout>;
  resumeGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout>;
  abortGradualRollout(
    id: string,
    options?: MlPlatformRequestOptions,
  ): Promise<GradualRollout>;
}
