import { randomUUID } from 'node:crypto';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import {
  localKubeClient,
  startTrafficKindBackend,
  type TrafficKindBackend,
} from 'platform-tests';
import mlPlatformModuleReplicaRatio from './index';

/*
 * The module through the backend plugin's extension point alone, against
 * the local apiserver (its Deployment controller and kwok's nodes make the
 * replicas ready) and the local MLflow: two version Deployments behind one
 * model Service, split by their ready replicas, and rollouts that scale them.
 */

jest.setTimeout(180_000);

const id = randomUUID().slice(0, 8);
const ns = `test-replica-ratio-${id}`;
const model = `test-replica-ratio-${id}`;
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments' };
const kube = localKubeClient();
let portal: Awaited<ReturnType<typeof startTrafficKindBackend>>;

function versionDeployment(version: string, replicas: number) {
  const labels = {
    [ML_PLATFORM_LABELS.model]: model,
    [ML_PLATFORM_LABELS.modelVersion]: version,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${model}-v${version}`, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, app: model } },
        spec: { containers: [{ name: 'model', image: 'model:latest' }] },
      },
    },
  };
}

/** Desired replicas of each version, as the apiserver has them. */
async function desiredReplicas() {
  const list = await kube.list<{
    metadata: { labels: Record<string, string> };
    spec: { replicas: number };
  }>(DEPLOYMENTS, { namespace: ns });
  return Object.fromEntries(
    list.map(d => [
      d.metadata.labels[ML_PLATFORM_LABELS.modelVersion],
      d.spec.replicas,
    ]),
  );
}

beforeAll(async () => {
  portal = await startTrafficKindBackend({
    features: [mlPlatformPlugin, mlPlatformModuleReplicaRatio],
    namespace: ns,
    model,
  });
  await kube.create(DEPLOYMENTS, ns, versionDeployment('1', 3));
  await kube.create(DEPLOYMENTS, ns, versionDeployment('2', 1));
  await kube.create({ group: '', version: 'v1', plural: 'services' }, ns, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: model, labels: { [ML_PLATFORM_LABELS.model]: model } },
    spec: { selector: { app: model }, ports: [{ port: 8080 }] },
  });
});

afterAll(() => portal?.cleanUp());

describe('the replica-ratio traffic kind, added by its module', () => {
  const service = { kind: 'Service', name: model };

  it('shows the split of ready replicas and moves it by scaling, guarded and audited', async () => {
    const api: TrafficKindBackend = portal;
    const before = await api.untilPortalShows({ '1': 75, '2': 25 });
    expect(before.router).toMatchObject({ apiVersion: 'v1', ...service });

    // A write planned from an older reading changes nothing.
    const stale = await api.rollout({
      strategy: 'split',
      weights: { '1': 50, '2': 50 },
      expectedResourceVersion: `${before.router!.resourceVersion}0`,
    });
    expect(stale.status).toBe(409);
    expect(await desiredReplicas()).toEqual({ '1': 3, '2': 1 });

    const split = await api.rollout({
      strategy: 'split',
      weights: { '1': 50, '2': 50 },
    });
    expect(split.status).toBe(200);
    expect(split.body.router).toEqual({ apiVersion: 'v1', ...service });
    expect(split.body.before.versions).toEqual([
      { version: '1', weight: 3, percent: 75 },
      { version: '2', weight: 1, percent: 25 },
    ]);
    expect(split.body.after.versions).toEqual([
      { version: '1', weight: 2, percent: 50 },
      { version: '2', weight: 2, percent: 50 },
    ]);
    expect(await desiredReplicas()).toEqual({ '1': 2, '2': 2 });
    // The controllers make it so, and the portal shows what is ready.
    await api.untilPortalShows({ '1': 50, '2': 50 });

    // A split no size up to twice today's gives is refused, and says why.
    const inexact = await api.rollout({
      strategy: 'split',
      weights: { '1': 95, '2': 5 },
    });
    expect(inexact.status).toBe(400);
    expect(inexact.body.error.message).toContain(
      'splits traffic by ready replicas',
    );
    expect(await desiredReplicas()).toEqual({ '1': 2, '2': 2 });

    const promote = await api.rollout({
      strategy: 'promote',
      target: { version: '2' },
    });
    expect(promote.status).toBe(200);
    expect(await desiredReplicas()).toEqual({ '1': 0, '2': 4 });
    await api.untilPortalShows({ '1': 0, '2': 100 });

    expect(
      (await api.history()).map(r => [r.strategy, r.result, r.router]),
    ).toEqual([
      ['promote', 'succeeded', service],
      ['split', 'refused', service],
      ['split', 'succeeded', service],
      ['split', 'conflict', service],
    ]);
  });
});
