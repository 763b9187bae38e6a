import { ConflictError, InputError } from '@backstage/errors';
import type { TrafficObjectRef } from '@mlplatform/plugin-ml-platform-node';
import {
  createRoute,
  createVersionService,
  podTemplate,
} from '../__testUtils__/fixtures';
import {
  changedPaths,
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  paths,
} from '../__testUtils__/localKube';
import { createHttpRouteRouter } from './createHttpRouteRouter';

jest.setTimeout(60_000);

const MODEL = 'route-test-model';
let ns: string;
const routePath = (name: string) => `${paths.httpRoutes(ns)}/${name}`;
const refOf = (name: string): TrafficObjectRef => ({
  cluster: 'local',
  namespace: ns,
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  name,
});

beforeAll(async () => {
  ns = await createTestNamespace();
  for (const v of ['5', '6', '7']) await createVersionService(ns, MODEL, v);
  // A backend of another model in the same rule: never touched.
  await createVersionService(ns, 'other-model', '1');
});

afterAll(async () => {
  await deleteTestNamespace(ns);
});

describe('HTTPRoute router', () => {
  it('reads the traffic rule by version, as the catalog maps Services to versions', async () => {
    await createRoute(ns, 'read', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
      { service: 'other-model-v1', weight: 50 },
    ]);
    const route = await kubeOk('GET', routePath('read'));
    const router = createHttpRouteRouter({
      clients: await localClusterClients(),
    });

    expect(await router.readSplit(refOf('read'), MODEL)).toEqual({
      weights: { '5': 90, '6': 10 },
      resourceVersion: route.metadata.resourceVersion,
    });
  });

  it('changes exactly the weights of the traffic rule, in one guarded write', async () => {
    await createRoute(ns, 'write', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
      { service: `${MODEL}-v7`, weight: 0 },
      { service: 'other-model-v1', weight: 50 },
    ]);
    const before = await kubeOk('GET', routePath('write'));
    const router = createHttpRouteRouter({
      clients: await localClusterClients(),
    });

    const written = await router.applyChange(
      refOf('write'),
      MODEL,
      { type: 'weights', weights: { '5': 50, '7': 25 } },
      { expectedResourceVersion: before.metadata.resourceVersion },
    );

    const after = await kubeOk('GET', routePath('write'));
    expect(written).toEqual({
      weights: { '5': 50, '6': 0, '7': 25 },
      resourceVersion: after.metadata.resourceVersion,
    });
    // rule 0 (header match) and the other model's backend stay as they were
    expect(changedPaths(before, after)).toEqual([
      '/spec/rules/1/backendRefs/0/weight',
      '/spec/rules/1/backendRefs/1/weight',
      '/spec/rules/1/backendRefs/2/weight',
    ]);
    expect(
      after.spec.rules[1].backendRefs.map((r: { weight: number }) => r.weight),
    ).toEqual([50, 0, 25, 50]);

    // promote: one version gets everything
    await router.applyChange(
      refOf('write'),
      MODEL,
      { type: 'promote', version: '6' },
      { expectedResourceVersion: after.metadata.resourceVersion },
    );
    const promoted = await kubeOk('GET', routePath('write'));
    expect(
      promoted.spec.rules[1].backendRefs.map(
        (r: { weight: number }) => r.weight,
      ),
    ).toEqual([0, 100, 0, 50]);
    expect(changedPaths(after, promoted)).toEqual([
      '/spec/rules/1/backendRefs/0/weight',
      '/spec/rules/1/backendRefs/1/weight',
      '/spec/rules/1/backendRefs/2/weight',
    ]);
  });

  it('applies nothing and says so when the route changed since it was read', async () => {
    await createRoute(ns, 'stale', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
    ]);
    const read = await kubeOk('GET', routePath('stale'));
    // someone else changes the route in between
    const changed = await kubeOk(
      'PATCH',
      routePath('stale'),
      { metadata: { labels: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    const router = createHttpRouteRouter({
      clients: await localClusterClients(),
    });

    const attempt = router.applyChange(
      refOf('stale'),
      MODEL,
      { type: 'weights', weights: { '5': 0, '6': 100 } },
      { expectedResourceVersion: read.metadata.resourceVersion },
    );
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(
      /changed since it was read; nothing was applied/,
    );
    expect(await kubeOk('GET', routePath('stale'))).toEqual(changed);
  });

  it('refuses versions the rule cannot route to and actions it does not have, sending nothing', async () => {
    await createRoute(ns, 'invalid', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
    ]);
    const before = await kubeOk('GET', routePath('invalid'));
    const router = createHttpRouteRouter({
      clients: await localClusterClients(),
    });
    const options = {
      expectedResourceVersion: before.metadata.resourceVersion,
    };

    await expect(
      router.applyChange(
        refOf('invalid'),
        MODEL,
        { type: 'weights', weights: { '7': 100 } },
        options,
      ),
    ).rejects.toThrow(
      new InputError(
        `weights: version 7 cannot get traffic from HTTPRoute ${ns}/invalid, which routes to versions 5, 6`,
      ),
    );
    await expect(
      router.applyChange(
        refOf('invalid'),
        MODEL,
        { type: 'weights', weights: { '5': 0 } },
        options,
      ),
    ).rejects.toThrow('weights: at least one version must get traffic');
    await expect(
      router.applyChange(refOf('invalid'), MODEL, { type: 'abort' }, options),
    ).rejects.toThrow(InputError);
    expect(await kubeOk('GET', routePath('invalid'))).toEqual(before);
  });

  it('never writes a route an Argo Rollout steers, and names the Rollout', async () => {
    await createRoute(ns, 'steered', [
      { service: `${MODEL}-v5`, weight: 80 },
      { service: `${MODEL}-v6`, weight: 20 },
    ]);
    await kubeOk('POST', paths.rollouts(ns), {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'steering-rollout' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': MODEL } },
        template: podTemplate(MODEL, '6'),
        strategy: {
          canary: {
            steps: [{ setWeight: 20 }, { pause: {} }],
            trafficRouting: {
              plugins: {
                'argoproj-labs/gatewayAPI': {
                  httpRoute: 'steered',
                  namespace: ns,
                },
              },
            },
          },
        },
      },
    });
    const before = await kubeOk('GET', routePath('steered'));
    const router = createHttpRouteRouter({
      clients: await localClusterClients(),
    });

    expect((await router.readSplit(refOf('steered'), MODEL)).managedBy).toBe(
      'rollout:steering-rollout',
    );
    await expect(
      router.applyChange(
        refOf('steered'),
        MODEL,
        { type: 'weights', weights: { '5': 50, '6': 50 } },
        { expectedResourceVersion: before.metadata.resourceVersion },
      ),
    ).rejects.toThrow(
      `HTTPRoute ${ns}/steered is steered by the Argo Rollout 'steering-rollout'`,
    );
    expect(await kubeOk('GET', routePath('steered'))).toEqual(before);
  });
});
