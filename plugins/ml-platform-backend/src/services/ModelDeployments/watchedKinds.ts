import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import {
  HTTP_ROUTES,
  INFERENCE_SERVICES,
  ROLLOUTS,
} from '../../lib/kubeResources';
import type { ClusterObjects } from './types';

/** One resource kind watched in every cluster. */
export interface WatchedKind {
  key: keyof ClusterObjects;
  /** API group; '' is the core group. */
  group: string;
  version: string;
  plural: string;
  /** Set where model workloads carry the label, so only they are cached. */
  labelSelector?: string;
  /** How status messages name the kind; defaults to `plural`. */
  name?: string;
}

/**
 * Routers are watched whole: an HTTPRoute, Rollout or InferenceService is tied
 * to a model through the Services and workloads it names, not its own labels.
 */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  {
    key: 'deployments',
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    labelSelector: ML_PLATFORM_LABELS.model,
  },
  {
    key: 'replicaSets',
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    labelSelector: ML_PLATFORM_LABELS.model,
  },
  {
    key: 'services',
    group: '',
    version: 'v1',
    plural: 'services',
    labelSelector: ML_PLATFORM_LABELS.model,
  },
  {
    // The in-cluster ML tools (MLflow, ZenML, lakeFS), read by the Tools service.
    key: 'toolServices',
    group: '',
    version: 'v1',
    plural: 'services',
    labelSelector: ML_PLATFORM_LABELS.tool,
    name: 'tool services',
  },
  { key: 'httpRoutes', ...HTTP_ROUTES },
  { key: 'rollouts', ...ROLLOUTS },
  { key: 'inferenceServices', ...INFERENCE_SERVICES },
];
