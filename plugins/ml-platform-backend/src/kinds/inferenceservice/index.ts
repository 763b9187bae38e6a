import type { TrafficKind } from '@mlplatform/plugin-ml-platform-node';
import { claimInferenceServices } from './claimInferenceServices';
import { createInferenceServiceRouter } from './createInferenceServiceRouter';
import { INFERENCE_SERVICES } from './resources';

export { INFERENCE_SERVICES, KNATIVE_REVISION } from './resources';

/**
 * KServe InferenceService: a canary share of the latest revision against the
 * previously rolled-out one.
 */
export const inferenceServiceTrafficKind: TrafficKind = {
  id: 'kserve',
  object: INFERENCE_SERVICES,
  precedence: 200,
  claim: claimInferenceServices,
  createRouter: createInferenceServiceRouter,
};
