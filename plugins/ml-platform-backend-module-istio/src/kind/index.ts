import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { claimVirtualServices } from './claimVirtualServices';
import { createVirtualServiceRouter } from './createVirtualServiceRouter';
import {
  ARGO_ROLLOUTS,
  DESTINATION_RULES,
  VIRTUAL_SERVICES,
} from './resources';

/**
 * Istio VirtualService weighted routes between model versions. Ahead of a
 * Gateway API HTTPRoute of the same model: inside the mesh the sidecars
 * follow the VirtualService.
 * @public
 */
export const virtualServiceTrafficKind: TrafficKind = {
  id: 'istio',
  object: VIRTUAL_SERVICES,
  precedence: 250,
  watches: [DESTINATION_RULES, ARGO_ROLLOUTS],
  claim: claimVirtualServices,
  createRouter: createVirtualServiceRouter,
};
