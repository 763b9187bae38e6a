import {
  MODEL_SERVICES,
  watchedObjectsOf,
} from '@mlplatform/plugin-ml-platform-node';
import { claimVirtualServices } from './claimVirtualServices';
import { ARGO_ROLLOUTS, VIRTUAL_SERVICES } from './resources';

const labels = (version: string) => ({
  'ml-platform.io/model': 'scorer',
  'ml-platform.io/model-version': version,
});
const versionService = (version: string) => ({
  metadata: {
    name: `scorer-v${version}`,
    namespace: 'ml',
    labels: labels(version),
  },
  spec: { selector: labels(version) },
});
const virtualService = {
  apiVersion: 'networking.istio.io/v1',
  metadata: { name: 'scorer', namespace: 'ml', resourceVersion: '7' },
  spec: {
    http: [
      {
        route: [
          // Short, namespaced and fully qualified names of the same Services.
          { destination: { host: 'scorer-v1' }, weight: 70 },
          {
            destination: { host: 'scorer-v2.ml.svc.cluster.local' },
            weight: 30,
          },
          { destination: { host: 'payments.other.svc' }, weight: 0 },
        ],
      },
    ],
  },
};

describe('claimVirtualServices', () => {
  it('maps each destination host to the version its Service runs', () => {
    const claims = claimVirtualServices(
      watchedObjectsOf([
        [VIRTUAL_SERVICES, [virtualService]],
        [MODEL_SERVICES, [versionService('1'), versionService('2')]],
      ]),
    );
    expect(claims).toEqual([
      {
        namespace: 'ml',
        model: 'scorer',
        registryId: undefined,
        versions: [
          { version: '1', weight: 70 },
          { version: '2', weight: 30 },
        ],
        router: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          name: 'scorer',
          resourceVersion: '7',
          managedBy: undefined,
        },
      },
    ]);
  });

  it('reports a VirtualService an Argo Rollout steers as the Rollout’s', () => {
    const rollout = {
      metadata: { name: 'scorer', namespace: 'ml' },
      spec: {
        strategy: {
          canary: {
            trafficRouting: { istio: { virtualService: { name: 'scorer' } } },
          },
        },
      },
    };
    const [claim] = claimVirtualServices(
      watchedObjectsOf([
        [VIRTUAL_SERVICES, [virtualService]],
        [MODEL_SERVICES, [versionService('1'), versionService('2')]],
        [ARGO_ROLLOUTS, [rollout]],
      ]),
    );
    expect(claim.router.managedBy).toBe('rollout:scorer');
  });
});
