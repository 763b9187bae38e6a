import type {
  ClusterClients,
  TrafficRouter,
} from '@mlplatform/plugin-ml-platform-node';
import { createArgoRolloutRouter } from './createArgoRolloutRouter';
import { createHttpRouteRouter } from './createHttpRouteRouter';
import { createInferenceServiceRouter } from './createInferenceServiceRouter';

/** The routers the plugin ships: Gateway API, Argo Rollouts and KServe. */
export function createBuiltInTrafficRouters(options: {
  clients: ClusterClients;
}): TrafficRouter[] {
  return [
    createHttpRouteRouter(options),
    createArgoRolloutRouter(options),
    createInferenceServiceRouter(options),
  ];
}
