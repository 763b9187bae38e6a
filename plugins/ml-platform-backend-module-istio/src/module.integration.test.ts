import { randomUUID } from 'node:crypto';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import { localKubeClient, startTrafficKindBackend } from 'platform-tests';
import mlPlatformModuleIstio from './index';
import { DESTINATION_RULES, VIRTUAL_SERVICES } from './kind/resources';
import type { VirtualService } from './kind/types';

/*
 * The module through the backend plugin's extension point alone, against
 * the local apiserver with Istio's own CRDs and the local MLflow: a
 * VirtualService whose catch-all route splits a model's Service between the
 * DestinationRule subsets of two versions, next to a header-matched route
 * that rollouts leave alone.
 */

jest.setTimeout(180_000);

const id = randomUUID().slice(0, 8);
const ns = `test-istio-${id}`;
const model = `test-istio-${id}`;
const kube = localKubeClient();
let portal: Awaited<ReturnType<typeof startTrafficKindBackend>>;

const readVirtualService = () =>
  kube.get<VirtualService>(VIRTUAL_SERVICES, ns, model);
const routeWeights = async () =>
  (await readVirtualService()).spec!.http!.map(r =>
    (r.route ?? []).map(d => d.weight),
  );

beforeAll(async () => {
  portal = await startTrafficKindBackend({
    features: [mlPlatformPlugin, mlPlatformModuleIstio],
    namespace: ns,
    model,
  });
  await kube.create({ group: '', version: 'v1', plural: 'services' }, ns, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: model, labels: { [ML_PLATFORM_LABELS.model]: model } },
    spec: { selector: { app: model }, ports: [{ port: 8080 }] },
  });
  await kube.create(DESTINATION_RULES, ns, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: model },
    spec: {
      host: model,
      subsets: ['1', '2'].map(v => ({
        name: `v${v}`,
        labels: { [ML_PLATFORM_LABELS.modelVersion]: v },
      })),
    },
  });
  const destination = (v: string) => ({ host: model, subset: `v${v}` });
  await kube.create(VIRTUAL_SERVICES, ns, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: model },
    spec: {
      hosts: [model],
      http: [
        {
          name: 'testers',
          match: [{ headers: { 'x-canary': { exact: 'yes' } } }],
          route: [{ destination: destination('2') }],
        },
        {
          name: 'everyone',
          route: [
            { destination: destination('1'), weight: 80 },
            { destination: destination('2'), weight: 20 },
          ],
        },
      ],
    },
  });
});

afterAll(() => portal?.cleanUp());

describe('the Istio VirtualService traffic kind, added by its module', () => {
  const router = { kind: 'VirtualService', name: model };

  it('shows the catch-all route’s split and writes its weights, guarded and audited', async () => {
    const before = await portal.untilPortalShows({ '1': 80, '2': 20 });
    expect(before.router).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      ...router,
    });

    const stale = await portal.rollout({
      strategy: 'split',
      weights: { '1': 50, '2': 50 },
      expectedResourceVersion: `${before.router!.resourceVersion}0`,
    });
    expect(stale.status).toBe(409);
    expect(await routeWeights()).toEqual([[undefined], [80, 20]]);

    const canary = await portal.rollout({
      strategy: 'canary',
      target: { version: '2', percent: 50 },
    });
    expect(canary.status).toBe(200);
    expect(canary.body.router).toEqual({
      apiVersion: 'networking.istio.io/v1',
      ...router,
    });
    expect(canary.body.after.versions).toEqual([
      { version: '1', weight: 50, percent: 50 },
      { version: '2', weight: 50, percent: 50 },
    ]);
    // The header-matched route is left as it was.
    expect(await routeWeights()).toEqual([[undefined], [50, 50]]);
    expect((await readVirtualService()).metadata?.resourceVersion).toBe(
      canary.body.resourceVersion,
    );
    await portal.untilPortalShows({ '1': 50, '2': 50 });

    // Istio takes whole percentages: a third is refused, nothing written.
    const thirds = await portal.rollout({
      strategy: 'split',
      weights: { '1': 1, '2': 2 },
    });
    expect(thirds.status).toBe(400);
    expect(thirds.body.error.message).toContain('whole percentages');
    expect(await routeWeights()).toEqual([[undefined], [50, 50]]);

    const promote = await portal.rollout({
      strategy: 'promote',
      target: { version: '2' },
    });
    expect(promote.status).toBe(200);
    expect(await routeWeights()).toEqual([[undefined], [0, 100]]);

    expect(
      (await portal.history()).map(r => [r.strategy, r.result, r.router]),
    ).toEqual([
      ['promote', 'succeeded', router],
      ['split', 'refused', router],
      ['canary', 'succeeded', router],
      ['split', 'conflict', router],
    ]);
  });
});
