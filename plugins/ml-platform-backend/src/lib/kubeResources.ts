import type { KubeResource } from '@mlplatform/plugin-ml-platform-node';

/** The resources the model catalog watches and the traffic routers read and write. */
export const SERVICES: KubeResource = {
  group: '',
  version: 'v1',
  plural: 'services',
};

export const DEPLOYMENTS: KubeResource = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
};

export const REPLICA_SETS: KubeResource = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
};

export const HTTP_ROUTES: KubeResource = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};

export const ROLLOUTS: KubeResource = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};

export const INFERENCE_SERVICES: KubeResource = {
  group: 'serving.kserve.io',
  version: 'v1beta1',
  plural: 'inferenceservices',
};
