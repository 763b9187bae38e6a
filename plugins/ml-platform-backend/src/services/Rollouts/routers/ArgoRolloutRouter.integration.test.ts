import { ConflictError, InputError } from '@backstage/errors';
import type {
  TrafficChange,
  TrafficObjectRef,
} from '@mlplatform/plugin-ml-platform-node';
import { createArgoRollout } from '../__testUtils__/argoFixtures';
import { podTemplate } from '../__testUtils__/fixtures';
import {
  changedPaths,
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  paths,
} from '../__testUtils__/localKube';
import { createArgoRolloutRouter } from './createArgoRolloutRouter';

jest.setTimeout(60_000);

const MODEL = 'argo-test-model';
let ns: string;
const rolloutPath = (name: string) => `${paths.rollouts(ns)}/${name}`;
const refOf = (name: string): TrafficObjectRef => ({
  cluster: 'local',
  namespace: ns,
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  name,
});

beforeAll(async () => {
  ns = await createTestNamespace();
});

afterAll(async () => {
  await deleteTestNamespace(ns);
});

/** Creates a Rollout, applies one change, and returns what changed. */
async function applyTo(name: string, stepIndex: number, change: TrafficChange) {
  await createArgoRollout({
    ns,
    name,
    model: MODEL,
    stable: '3',
    canary: '4',
    stepIndex,
  });
  const before = await kubeOk('GET', rolloutPath(name));
  const router = createArgoRolloutRouter({
    clients: await localClusterClients(),
  });
  const written = await router.applyChange(refOf(name), MODEL, change, {
    expectedResourceVersion: before.metadata.resourceVersion,
  });
  const after = await kubeOk('GET', rolloutPath(name));
  expect(written.resourceVersion).toBe(after.metadata.resourceVersion);
  return { before, after, written, changed: changedPaths(before, after) };
}

describe('Argo Rollouts router', () => {
  it('reads the stable and canary versions as the catalog does, with older revisions at 0', async () => {
    await createArgoRollout({
      ns,
      name: 'read',
      model: MODEL,
      stable: '3',
      canary: '4',
      stepIndex: 1,
    });
    const rollout = await kubeOk('GET', rolloutPath('read'));
    const router = createArgoRolloutRouter({
      clients: await localClusterClients(),
    });
    expect(await router.readSplit(refOf('read'), MODEL)).toEqual({
      weights: { '3': 80, '4': 20 },
      resourceVersion: rollout.metadata.resourceVersion,
    });
  });

  it('reaches a split by going to the step that sets it, as promote does with the step index', async () => {
    const { after, changed, written } = await applyTo('to-step', 1, {
      type: 'weights',
      weights: { '3': 50, '4': 50 },
    });
    expect(changed).toEqual([
      '/status/currentStepIndex',
      '/status/pauseConditions',
    ]);
    expect(after.status.currentStepIndex).toBe(2);
    expect(after.status.pauseConditions).toBeUndefined();
    expect(written.weights).toEqual({ '3': 50, '4': 50 });
  });

  it('promotes to the next step like `kubectl argo rollouts promote`: clears the pause', async () => {
    const { changed, after, written } = await applyTo('next-step', 1, {
      type: 'promote',
      version: '4',
      nextStepOnly: true,
    });
    expect(changed).toEqual(['/status/pauseConditions']);
    expect(after.status.currentStepIndex).toBe(1);
    expect(written.weights).toEqual({ '3': 80, '4': 20 });
  });

  it('promotes fully like `promote --full`', async () => {
    const { changed, after, written } = await applyTo('full', 1, {
      type: 'promote',
      version: '4',
    });
    expect(changed).toEqual(['/status/promoteFull']);
    expect(after.status.promoteFull).toBe(true);
    expect(written.weights).toEqual({ '3': 0, '4': 100 });
  });

  it('aborts, and retries, with status.abort', async () => {
    const aborted = await applyTo('abort', 1, { type: 'abort' });
    expect(aborted.changed).toEqual(['/status/abort']);
    expect(aborted.after.status.abort).toBe(true);
    expect(aborted.written.weights).toEqual({ '3': 100, '4': 0 });

    const router = createArgoRolloutRouter({
      clients: await localClusterClients(),
    });
    await router.applyChange(
      refOf('abort'),
      MODEL,
      { type: 'retry' },
      {
        expectedResourceVersion: aborted.after.metadata.resourceVersion,
      },
    );
    const retried = await kubeOk('GET', rolloutPath('abort'));
    expect(changedPaths(aborted.after, retried)).toEqual(['/status/abort']);
    expect(retried.status.abort).toBe(false);
  });

  it('sends all traffic back to the stable version mid-canary by aborting', async () => {
    const { changed } = await applyTo('back-to-stable', 3, {
      type: 'weights',
      weights: { '3': 100 },
    });
    expect(changed).toEqual(['/status/abort']);
  });

  it("rolls a fully promoted Rollout back like `undo`: the previous revision's template", async () => {
    const { after, changed, written } = await applyTo('undo', 5, {
      type: 'weights',
      weights: { '3': 100 },
    });
    // the previous ReplicaSet's template as the apiserver stored it, without
    // the hash label Argo adds to each revision
    const replicaSets = await kubeOk('GET', paths.replicaSets(ns));
    const previous = replicaSets.items.find(
      (rs: any) =>
        rs.metadata.ownerReferences[0].name === 'undo' &&
        rs.metadata.labels['ml-platform.io/model-version'] === '3',
    );
    const { ['rollouts-pod-template-hash']: hash, ...labels } =
      previous.spec.template.metadata.labels;
    expect(hash).toBeDefined();
    expect(after.spec.template).toEqual({
      ...previous.spec.template,
      metadata: { ...previous.spec.template.metadata, labels },
    });
    expect(after.spec.template.metadata.labels).toEqual(
      podTemplate(MODEL, '3').metadata.labels,
    );
    expect(changed.every(p => p.startsWith('/spec/template/'))).toBe(true);
    expect(changed.length).toBeGreaterThan(0);
    expect(written.weights).toEqual({ '3': 100, '4': 0 });
  });

  it('refuses a weight no step sets, naming the weights it can set, and sends nothing', async () => {
    await createArgoRollout({
      ns,
      name: 'no-step',
      model: MODEL,
      stable: '3',
      canary: '4',
      stepIndex: 1,
    });
    const before = await kubeOk('GET', rolloutPath('no-step'));
    const router = createArgoRolloutRouter({
      clients: await localClusterClients(),
    });
    await expect(
      router.applyChange(
        refOf('no-step'),
        MODEL,
        { type: 'weights', weights: { '3': 70, '4': 30 } },
        {
          expectedResourceVersion: before.metadata.resourceVersion,
        },
      ),
    ).rejects.toThrow(
      new InputError(
        `weights: Argo Rollout ${ns}/no-step can give its canary (version 4) only the weights of its steps: 20, 50, 100 %, not 30 %`,
      ),
    );
    expect(await kubeOk('GET', rolloutPath('no-step'))).toEqual(before);
  });

  it('applies nothing when the Rollout changed since it was read', async () => {
    await createArgoRollout({
      ns,
      name: 'stale',
      model: MODEL,
      stable: '3',
      canary: '4',
      stepIndex: 1,
    });
    const read = await kubeOk('GET', rolloutPath('stale'));
    const changed = await kubeOk(
      'PATCH',
      rolloutPath('stale'),
      { metadata: { annotations: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    const router = createArgoRolloutRouter({
      clients: await localClusterClients(),
    });
    for (const change of [
      { type: 'promote', version: '4' },
      { type: 'abort' },
      { type: 'weights', weights: { '3': 50, '4': 50 } },
    ] as TrafficChange[]) {
      await expect(
        router.applyChange(refOf('stale'), MODEL, change, {
          expectedResourceVersion: read.metadata.resourceVersion,
        }),
      ).rejects.toThrow(ConflictError);
    }
    expect(await kubeOk('GET', rolloutPath('stale'))).toEqual(changed);
  });
});
