import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { claimRollouts } from './claimRollouts';
import { createArgoRolloutRouter } from './createArgoRolloutRouter';
import { ROLLOUTS } from './resources';

export { routesSteeredBy } from './claimRollouts';
export { ROLLOUTS } from './resources';
export type { Rollout } from './types';

/**
 * Argo Rollouts (canary strategy): the controller owns the weights; the
 * portal moves the Rollout through its steps as `kubectl argo rollouts` does.
 */
export const argoRolloutTrafficKind: TrafficKind = {
  id: 'argo-rollouts',
  object: ROLLOUTS,
  precedence: 100,
  claim: claimRollouts,
  createRouter: createArgoRolloutRouter,
};
