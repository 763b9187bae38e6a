import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { claimReplicaRatios } from './claimReplicaRatios';
import { createReplicaRatioRouter } from './createReplicaRatioRouter';
import { MODEL_SERVICE_OBJECT } from './resources';

/**
 * Version Deployments behind one model Service, traffic in proportion to
 * their ready replicas, changed by scaling: no mesh, no gateway. Claims a
 * model only where no other kind does.
 * @public
 */
export const replicaRatioTrafficKind: TrafficKind = {
  id: 'replica-ratio',
  object: MODEL_SERVICE_OBJECT,
  precedence: 900,
  claim: claimReplicaRatios,
  createRouter: createReplicaRatioRouter,
};
