import { ConflictError, InputError } from '@backstage/errors';
import type {
  TrafficChange,
  TrafficObjectRef,
} from '@mlplatform/plugin-ml-platform-node';
import { createInferenceService } from '../__testUtils__/kserveFixtures';
import {
  changedPaths,
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  paths,
} from '../__testUtils__/localKube';
import { createInferenceServiceRouter } from './createInferenceServiceRouter';

jest.setTimeout(60_000);

const MODEL = 'kserve-test-model';
let ns: string;
const isvcPath = (name: string) => `${paths.inferenceServices(ns)}/${name}`;
const refOf = (name: string): TrafficObjectRef => ({
  cluster: 'local',
  namespace: ns,
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  name,
});

beforeAll(async () => {
  ns = await createTestNamespace();
});

afterAll(async () => {
  await deleteTestNamespace(ns);
});

async function applyTo(
  name: string,
  change: TrafficChange,
  canaryTrafficPercent = 30,
) {
  await createInferenceService({
    ns,
    name,
    model: MODEL,
    previous: '2',
    latest: '3',
    canaryTrafficPercent,
  });
  const before = await kubeOk('GET', isvcPath(name));
  const router = createInferenceServiceRouter({
    clients: await localClusterClients(),
  });
  const written = await router.applyChange(refOf(name), MODEL, change, {
    expectedResourceVersion: before.metadata.resourceVersion,
  });
  const after = await kubeOk('GET', isvcPath(name));
  expect(written.resourceVersion).toBe(after.metadata.resourceVersion);
  return { before, after, written, changed: changedPaths(before, after) };
}

describe('KServe InferenceService router', () => {
  it('reads the latest and previous revisions by version, as the catalog does', async () => {
    await createInferenceService({
      ns,
      name: 'read',
      model: MODEL,
      previous: '2',
      latest: '3',
      canaryTrafficPercent: 30,
    });
    const isvc = await kubeOk('GET', isvcPath('read'));
    const router = createInferenceServiceRouter({
      clients: await localClusterClients(),
    });
    expect(await router.readSplit(refOf('read'), MODEL)).toEqual({
      weights: { '2': 70, '3': 30 },
      resourceVersion: isvc.metadata.resourceVersion,
    });
  });

  it('sets canaryTrafficPercent for a canary, and nothing else', async () => {
    const { after, changed, written } = await applyTo('canary', {
      type: 'weights',
      weights: { '2': 45, '3': 55 },
    });
    expect(changed).toEqual(['/spec/predictor/canaryTrafficPercent']);
    expect(after.spec.predictor.canaryTrafficPercent).toBe(55);
    expect(written.weights).toEqual({ '2': 45, '3': 55 });
  });

  it('promotes the latest version by removing canaryTrafficPercent', async () => {
    const { after, changed, written } = await applyTo('promote', {
      type: 'promote',
      version: '3',
    });
    expect(changed).toEqual(['/spec/predictor/canaryTrafficPercent']);
    expect(after.spec.predictor).not.toHaveProperty('canaryTrafficPercent');
    expect(written.weights).toEqual({ '2': 0, '3': 100 });
  });

  it('sends all traffic back to the previous revision with canaryTrafficPercent 0', async () => {
    const { after, changed } = await applyTo('back', {
      type: 'weights',
      weights: { '2': 100 },
    });
    expect(changed).toEqual(['/spec/predictor/canaryTrafficPercent']);
    expect(after.spec.predictor.canaryTrafficPercent).toBe(0);
  });

  it('refuses what KServe cannot express and sends nothing', async () => {
    await createInferenceService({
      ns,
      name: 'invalid',
      model: MODEL,
      previous: '2',
      latest: '3',
      canaryTrafficPercent: 30,
    });
    const before = await kubeOk('GET', isvcPath('invalid'));
    const router = createInferenceServiceRouter({
      clients: await localClusterClients(),
    });
    const options = {
      expectedResourceVersion: before.metadata.resourceVersion,
    };
    await expect(
      router.applyChange(
        refOf('invalid'),
        MODEL,
        { type: 'weights', weights: { '2': 1, '3': 2 } },
        options,
      ),
    ).rejects.toThrow(
      new InputError(
        `weights: InferenceService ${ns}/invalid takes whole percentages only, and version 3 would get 66.67 %`,
      ),
    );
    await expect(
      router.applyChange(
        refOf('invalid'),
        MODEL,
        { type: 'weights', weights: { '1': 100 } },
        options,
      ),
    ).rejects.toThrow(InputError);
    await expect(
      router.applyChange(refOf('invalid'), MODEL, { type: 'retry' }, options),
    ).rejects.toThrow(InputError);
    expect(await kubeOk('GET', isvcPath('invalid'))).toEqual(before);
  });

  it('applies nothing when the InferenceService changed since it was read', async () => {
    await createInferenceService({
      ns,
      name: 'stale',
      model: MODEL,
      previous: '2',
      latest: '3',
      canaryTrafficPercent: 30,
    });
    const read = await kubeOk('GET', isvcPath('stale'));
    const changed = await kubeOk(
      'PATCH',
      isvcPath('stale'),
      { metadata: { labels: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    const router = createInferenceServiceRouter({
      clients: await localClusterClients(),
    });
    await expect(
      router.applyChange(
        refOf('stale'),
        MODEL,
        { type: 'weights', weights: { '2': 50, '3': 50 } },
        {
          expectedResourceVersion: read.metadata.resourceVersion,
        },
      ),
    ).rejects.toThrow(ConflictError);
    expect(await kubeOk('GET', isvcPath('stale'))).toEqual(changed);
  });
});
