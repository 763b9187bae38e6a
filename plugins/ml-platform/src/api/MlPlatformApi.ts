import { createApiRef } from '@backstage/frontend-plugin-api';
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
  ToolsResponse,
} from '@mlplatform/plugin-ml-platform-common';
import { RolloutHistoryQuery } from './RolloutHistoryQuery';

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
  /**
   * Changes the traffic of one deployment. Rejects with a
   * {@link RolloutConflictError} when the deployment changed since
   * `expectedResourceVersion`, else with the backend's error.
   */
  startRollout(request: RolloutRequest): Promise<RolloutResult>;
  /** The rollouts attempted on a model, newest first. */
  listRolloutHistory(
    model: string,
    query?: RolloutHistoryQuery,
  ): Promise<RolloutAuditPage>;
  startGradualRollout(request: GradualRolloutRequest): Promise<GradualRollout>;
  getGradualRollout(id: string): Promise<GradualRollout>;
  listGradualRollouts(
    model: string,
    where: { cluster: string; namespace: string },
  ): Promise<{ items: GradualRollout[] }>;
  pauseGradualRollout(id: string): Promise<GradualRollout>;
  resumeGradualRollout(id: string): Promise<GradualRollout>;
  abortGradualRollout(id: string): Promise<GradualRollout>;
}

/**
 * @public
 */
export const mlPlatformApiRef = createApiRef<MlPlatformApi>({
  id: 'plugin.ml-platform.api',
});
