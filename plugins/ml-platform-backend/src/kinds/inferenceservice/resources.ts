import type { KubeResource } from '@mlplatform/plugin-ml-platform-node';

/** KServe's InferenceService. */
export const INFERENCE_SERVICES: KubeResource & { kind: string } = {
  group: 'serving.kserve.io',
  version: 'v1beta1',
  plural: 'inferenceservices',
  kind: 'InferenceService',
};

/** Label Knative puts on the Deployment of each revision of a KServe predictor. */
export const KNATIVE_REVISION = 'serving.knative.dev/revision';
