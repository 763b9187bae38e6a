import type {
  KubeResource,
  WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';

/** Istio's VirtualService, in its v1 API. */
export const VIRTUAL_SERVICES: KubeResource & { kind: string } = {
  group: 'networking.istio.io',
  version: 'v1',
  plural: 'virtualservices',
  kind: 'VirtualService',
};

/** Istio's DestinationRule: the labels of each subset a route may name. */
export const DESTINATION_RULES: WatchedResource = {
  group: 'networking.istio.io',
  version: 'v1',
  plural: 'destinationrules',
};

/** Argo Rollouts: a Rollout may rewrite a VirtualService's weights itself. */
export const ARGO_ROLLOUTS: WatchedResource = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};
