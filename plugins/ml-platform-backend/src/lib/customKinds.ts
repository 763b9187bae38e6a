/** A custom resource the model catalog watches and the traffic routers write. */
export interface CustomKind {
  group: string;
  version: string;
  plural: string;
}

export const HTTP_ROUTES: CustomKind = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};

export const ROLLOUTS: CustomKind = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};

export const INFERENCE_SERVICES: CustomKind = {
  group: 'serving.kserve.io',
  version: 'v1beta1',
  plural: 'inferenceservices',
};
