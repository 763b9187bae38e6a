import { ConflictError, InputError } from '@backstage/errors';
import type {
  ClusterClients,
  TrafficChange,
} from '@mlplatform/plugin-ml-platform-node';
import { createArgoRollout } from '../../services/Rollouts/__testUtils__/argoFixtures';
import { podTemplate } from '../../services/Rollouts/__testUtils__/fixtures';
import {
  applyVia,
  useTrafficRouterTestBed,
} from '../../services/Rollouts/__testUtils__/trafficRouterTestBed';
import {
  changedPaths,
  kubeOk,
  localClusterClients,
  paths,
} from '../../services/Rollouts/__testUtils__/localKube';
import { argoRolloutTrafficKind } from './index';

jest.setTimeout(60_000);

const MODEL = 'argo-test-model';
const bed = useTrafficRouterTestBed({
  trafficKind: argoRolloutTrafficKind,
  collectionPath: paths.rollouts,
});

/** A Rollout of the model at the given canary step, stable on 3 and canary 4. */
const createStableAndCanary = (name: string, stepIndex: number) =>
  createArgoRollout({
    ns: bed.ns,
    name,
    model: MODEL,
    stable: '3',
    canary: '4',
    stepIndex,
  });

/** Creates a Rollout, applies one change, and returns what changed. */
async function applyTo(name: string, stepIndex: number, change: TrafficChange) {
  await createStableAndCanary(name, stepIndex);
  return bed.applyAndReread(name, MODEL, change);
}

/** A Rollout at its first pause step that someone also paused by hand. */
async function createPausedTwice(name: string) {
  await createStableAndCanary(name, 1);
  return kubeOk(
    'PATCH',
    bed.path(name),
    { spec: { paused: true } },
    'application/merge-patch+json',
  );
}

/** The local cluster's clients, with `afterFirstWrite` run once between a change's writes. */
async function clientsWithWriterBetween(
  afterFirstWrite: () => Promise<unknown>,
): Promise<ClusterClients> {
  const real = await localClusterClients();
  let writes = 0;
  return cluster => {
    const kube = real(cluster);
    return {
      ...kube,
      mergePatch: async (...args: Parameters<typeof kube.mergePatch>) => {
        const written = await kube.mergePatch(...args);
        if (++writes === 1) await afterFirstWrite();
        return written as any;
      },
    };
  };
}

describe('Argo Rollouts router', () => {
  it('reads the stable and canary versions as the catalog does, with older revisions at 0', async () => {
    await createStableAndCanary('read', 1);
    const { split, resourceVersion } = await bed.readSplit('read', MODEL);
    expect(split).toEqual({ weights: { '3': 80, '4': 20 }, resourceVersion });
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

    const router = await bed.router();
    await applyVia(
      router,
      bed.ref('abort'),
      MODEL,
      { type: 'retry' },
      {
        expectedResourceVersion: aborted.after.metadata.resourceVersion,
      },
    );
    const retried = await kubeOk('GET', bed.path('abort'));
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
    const replicaSets = await kubeOk('GET', paths.replicaSets(bed.ns));
    const previous = replicaSets.items.find(
      (rs: any) =>
        rs.metadata.ownerReferences[0].name === 'undo' &&
        rs.metadata.labels['ml-platform.io/model-version'] === '3',
    );
    const { ['rollouts-pod-template-hash']: hash, ...labels } =
      previous.spec.template.metadata.labels;
    // Argo's per-revision hash label stays on the old ReplicaSet only: undo
    // writes the template without it, as `kubectl argo rollouts undo` does.
    expect(hash).toMatch(/^\w+$/);
    expect(after.spec.template.metadata.labels).not.toHaveProperty(
      'rollouts-pod-template-hash',
    );
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
    await createStableAndCanary('no-step', 1);
    const noStep = await bed.refusals('no-step', MODEL);
    await expect(
      noStep.apply({ type: 'weights', weights: { '3': 70, '4': 30 } }),
    ).rejects.toThrow(
      new InputError(
        `weights: Argo Rollout ${bed.ns}/no-step can give its canary (version 4) only the weights of its steps: 20, 50, 100 %, not 30 %`,
      ),
    );
    await noStep.expectUnchanged();
  });

  it('promotes a Rollout paused at a step and by hand with both writes, as the kubectl plugin does', async () => {
    await createPausedTwice('twice');
    const { changed, after, written } = await bed.applyAndReread(
      'twice',
      MODEL,
      { type: 'promote', version: '4', nextStepOnly: true },
    );
    expect(changed).toEqual(['/spec/paused', '/status/pauseConditions']);
    expect(after.spec.paused).toBe(false);
    expect(written.weights).toEqual({ '3': 80, '4': 20 });
  });

  it('says that the first write stands when the Rollout changes before the second', async () => {
    const before = await createPausedTwice('half');
    const clients = await clientsWithWriterBetween(() =>
      kubeOk(
        'PATCH',
        bed.path('half'),
        { metadata: { annotations: { touched: 'in between' } } },
        'application/merge-patch+json',
      ),
    );
    const router = await bed.router(clients);
    const error = await applyVia(
      router,
      bed.ref('half'),
      MODEL,
      { type: 'promote', version: '4', nextStepOnly: true },
      { expectedResourceVersion: before.metadata.resourceVersion },
    ).catch(e => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      `Argo Rollout ${bed.ns}/half: 1 of 2 writes applied (status {"pauseConditions":null}); spec {"paused":false} was not: the Rollout changed after the first write. Read it again: promote again to finish.`,
    );
    const after = await kubeOk('GET', bed.path('half'));
    expect(after.status.pauseConditions).toBeUndefined();
    expect(after.spec.paused).toBe(true);
  });

  it('applies nothing when the Rollout changed since it was read', async () => {
    await createStableAndCanary('stale', 1);
    const { read, touched: changed } = await bed.readThenTouch('stale', {
      metadata: { annotations: { touched: 'yes' } },
    });
    const router = await bed.router();
    for (const change of [
      { type: 'promote', version: '4' },
      { type: 'abort' },
      { type: 'weights', weights: { '3': 50, '4': 50 } },
    ] as TrafficChange[]) {
      await expect(
        applyVia(router, bed.ref('stale'), MODEL, change, {
          expectedResourceVersion: read.metadata.resourceVersion,
        }),
      ).rejects.toThrow(ConflictError);
    }
    expect(await kubeOk('GET', bed.path('stale'))).toEqual(changed);
  });
});
