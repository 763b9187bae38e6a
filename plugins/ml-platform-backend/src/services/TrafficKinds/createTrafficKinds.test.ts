import { InputError } from '@backstage/errors';
import type {
  KubeClient,
  TrafficClaim,
  TrafficKind,
  TrafficKindEnvironment,
  TrafficRouter,
} from '@mlplatform/plugin-ml-platform-node';
import {
  MODEL_SERVICES,
  watchedObjectsOf,
} from '@mlplatform/plugin-ml-platform-node';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';
import { computeDeployments } from '../ModelDeployments/computeDeployments';
import { createTrafficKinds } from './createTrafficKinds';

const router: TrafficRouter = { readSplit: jest.fn() };

/** A kind from a module that claims model `scorer` in `ml` with the given split. */
function moduleKind(
  id: string,
  precedence: number | undefined,
  weights: Record<string, number>,
): TrafficKind {
  const claim: TrafficClaim = {
    namespace: 'ml',
    model: 'scorer',
    versions: Object.entries(weights).map(([version, weight]) => ({
      version,
      weight,
    })),
    router: {
      apiVersion: 'example.com/v1',
      kind: 'Splitter',
      name: id,
      resourceVersion: '1',
    },
  };
  return {
    id,
    object: {
      group: 'example.com',
      version: 'v1',
      plural: 'splitters',
      kind: 'Splitter',
    },
    precedence,
    claim: () => [claim],
    createRouter: () => router,
  };
}

const env = {
  client: () => ({} as KubeClient),
  objects: () => watchedObjectsOf([]),
};

describe('createTrafficKinds', () => {
  it('lets a module kind of lower precedence claim a model before the built-in ones', () => {
    const first = moduleKind('first', 50, { '1': 1, '2': 3 });
    const kinds = createTrafficKinds([...BUILT_IN_TRAFFIC_KINDS, first], env);
    expect(kinds.ordered.map(k => k.id)).toEqual([
      'first',
      'argo-rollouts',
      'kserve',
      'gateway-api',
    ]);
    const [deployment] = computeDeployments(
      'local',
      watchedObjectsOf([]),
      kinds.ordered,
    );
    expect(deployment.router?.name).toBe('first');
    expect(deployment.versions.map(v => v.percent)).toEqual([25, 75]);
  });

  it('keeps the order of addition between kinds of the same precedence', () => {
    const a = moduleKind('a', undefined, { '1': 1 });
    const b = moduleKind('b', undefined, { '2': 1 });
    const [deployment] = computeDeployments(
      'local',
      watchedObjectsOf([]),
      createTrafficKinds([b, a], env).ordered,
    );
    expect(deployment.router?.name).toBe('b');
  });

  it('finds the router by the object’s group and kind, and names what is missing', () => {
    const kinds = createTrafficKinds([moduleKind('m', 50, {})], env);
    expect(
      kinds.routerFor({ apiVersion: 'example.com/v2', kind: 'Splitter' }),
    ).toBe(router);
    expect(() =>
      kinds.routerFor({ apiVersion: 'other.io/v1', kind: 'Splitter' }),
    ).toThrow(
      new InputError('No traffic kind is installed for Splitter (other.io/v1)'),
    );
  });

  it('gives a router the watch cache of only what its kind declared', () => {
    const services = [{ metadata: { name: 'scorer' } }];
    let seen: TrafficKindEnvironment | undefined;
    const kind: TrafficKind = {
      ...moduleKind('narrow', 50, {}),
      createRouter: routerEnv => {
        seen = routerEnv;
        return router;
      },
    };
    const kinds = createTrafficKinds([kind], {
      ...env,
      objects: () => watchedObjectsOf([[MODEL_SERVICES, services]]),
    });
    kinds.routerFor({ apiVersion: 'example.com/v1', kind: 'Splitter' });

    const objects = seen!.objects('local');
    expect(objects.list(MODEL_SERVICES)).toEqual(services);
    expect(() =>
      objects.list({
        group: 'argoproj.io',
        version: 'v1alpha1',
        plural: 'rollouts',
      }),
    ).toThrow(
      "Traffic kind 'narrow' reads argoproj.io/v1alpha1/rollouts?, which it does not declare in its object or watches",
    );
  });
});
