import { ConflictError, InputError } from '@backstage/errors';
import {
  createRoute,
  createVersionService,
  podTemplate,
} from '../../services/Rollouts/__testUtils__/fixtures';
import {
  applyVia,
  useTrafficRouterTestBed,
} from '../../services/Rollouts/__testUtils__/trafficRouterTestBed';
import {
  changedPaths,
  kubeOk,
  paths,
} from '../../services/Rollouts/__testUtils__/localKube';
import { httpRouteTrafficKind } from './index';

jest.setTimeout(60_000);

const MODEL = 'route-test-model';
const bed = useTrafficRouterTestBed({
  trafficKind: httpRouteTrafficKind,
  collectionPath: paths.httpRoutes,
  seed: async ns => {
    for (const v of ['5', '6', '7']) await createVersionService(ns, MODEL, v);
    // A backend of another model in the same rule: never touched.
    await createVersionService(ns, 'other-model', '1');
  },
});

describe('HTTPRoute router', () => {
  it('reads the traffic rule by version, as the catalog maps Services to versions', async () => {
    await createRoute(bed.ns, 'read', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
      { service: 'other-model-v1', weight: 50 },
    ]);
    const { split, resourceVersion } = await bed.readSplit('read', MODEL);
    expect(split).toEqual({ weights: { '5': 90, '6': 10 }, resourceVersion });
  });

  it('changes exactly the weights of the traffic rule, in one guarded write', async () => {
    await createRoute(bed.ns, 'write', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
      { service: `${MODEL}-v7`, weight: 0 },
      { service: 'other-model-v1', weight: 50 },
    ]);
    const before = await kubeOk('GET', bed.path('write'));
    const router = await bed.router();

    const written = await applyVia(
      router,
      bed.ref('write'),
      MODEL,
      { type: 'weights', weights: { '5': 50, '7': 25 } },
      { expectedResourceVersion: before.metadata.resourceVersion },
    );

    const after = await kubeOk('GET', bed.path('write'));
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
    await applyVia(
      router,
      bed.ref('write'),
      MODEL,
      { type: 'promote', version: '6' },
      { expectedResourceVersion: after.metadata.resourceVersion },
    );
    const promoted = await kubeOk('GET', bed.path('write'));
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
    await createRoute(bed.ns, 'stale', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
    ]);
    const { read, touched: changed } = await bed.readThenTouch('stale', {
      metadata: { labels: { touched: 'yes' } },
    });
    const router = await bed.router();

    const attempt = applyVia(
      router,
      bed.ref('stale'),
      MODEL,
      { type: 'weights', weights: { '5': 0, '6': 100 } },
      { expectedResourceVersion: read.metadata.resourceVersion },
    );
    await expect(attempt).rejects.toThrow(ConflictError);
    await expect(attempt).rejects.toThrow(
      /changed since it was read; nothing was applied/,
    );
    expect(await kubeOk('GET', bed.path('stale'))).toEqual(changed);
  });

  it('plans from one reading and writes once, refused by the apiserver when the route changed after that reading', async () => {
    await createRoute(bed.ns, 'read-once', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
    ]);
    const router = await bed.router();
    const reading = await router.readSplit(bed.ref('read-once'), MODEL);
    const changed = await kubeOk(
      'PATCH',
      bed.path('read-once'),
      { metadata: { labels: { touched: 'after-the-reading' } } },
      'application/merge-patch+json',
    );

    await expect(
      reading.apply({ type: 'weights', weights: { '5': 0, '6': 100 } }),
    ).rejects.toThrow(/changed since it was read; nothing was applied/);
    expect(await kubeOk('GET', bed.path('read-once'))).toEqual(changed);

    const fresh = await router.readSplit(bed.ref('read-once'), MODEL);
    const written = await fresh.apply({
      type: 'weights',
      weights: { '5': 0, '6': 100 },
    });
    expect(written.weights).toEqual({ '5': 0, '6': 100 });
  });

  it('refuses versions the rule cannot route to and actions it does not have, sending nothing', async () => {
    await createRoute(bed.ns, 'invalid', [
      { service: `${MODEL}-v5`, weight: 90 },
      { service: `${MODEL}-v6`, weight: 10 },
    ]);
    const invalid = await bed.refusals('invalid', MODEL);

    await expect(
      invalid.apply({ type: 'weights', weights: { '7': 100 } }),
    ).rejects.toThrow(
      new InputError(
        `weights: version 7 cannot get traffic from HTTPRoute ${bed.ns}/invalid, which routes to versions 5, 6`,
      ),
    );
    await expect(
      invalid.apply({ type: 'weights', weights: { '5': 0 } }),
    ).rejects.toThrow('weights: at least one version must get traffic');
    await expect(invalid.apply({ type: 'abort' })).rejects.toThrow(InputError);
    await invalid.expectUnchanged();
  });

  it('never writes a route an Argo Rollout steers, and names the Rollout', async () => {
    await createRoute(bed.ns, 'steered', [
      { service: `${MODEL}-v5`, weight: 80 },
      { service: `${MODEL}-v6`, weight: 20 },
    ]);
    await kubeOk('POST', paths.rollouts(bed.ns), {
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
                  namespace: bed.ns,
                },
              },
            },
          },
        },
      },
    });
    const steered = await bed.refusals('steered', MODEL);

    expect(
      (await steered.router.readSplit(bed.ref('steered'), MODEL)).managedBy,
    ).toBe('rollout:steering-rollout');
    await expect(
      steered.apply({ type: 'weights', weights: { '5': 50, '6': 50 } }),
    ).rejects.toThrow(
      `HTTPRoute ${bed.ns}/steered is steered by the Argo Rollout 'steering-rollout'`,
    );
    await steered.expectUnchanged();
  });
});
