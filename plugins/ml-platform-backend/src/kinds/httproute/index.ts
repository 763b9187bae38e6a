import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { ROLLOUTS } from '../argo-rollout';
import { claimHttpRoutes } from './claimHttpRoutes';
import { createHttpRouteRouter } from './createHttpRouteRouter';
import { HTTP_ROUTES } from './resources';

export { HTTP_ROUTES } from './resources';

/**
 * Gateway API HTTPRoute: proportional weights of the backendRefs of the
 * route's traffic rule. Reads Rollouts too: a route an Argo Rollout steers
 * is the controller's to write.
 */
export const httpRouteTrafficKind: TrafficKind = {
  id: 'gateway-api',
  object: HTTP_ROUTES,
  precedence: 300,
  watches: [ROLLOUTS],
  claim: claimHttpRoutes,
  createRouter: createHttpRouteRouter,
};
