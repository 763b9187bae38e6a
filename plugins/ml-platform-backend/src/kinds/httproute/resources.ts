import type { KubeResource } from '@mlplatform/plugin-ml-platform-node';

/** Gateway API's HTTPRoute. */
export const HTTP_ROUTES: KubeResource & { kind: string } = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
  kind: 'HTTPRoute',
};
