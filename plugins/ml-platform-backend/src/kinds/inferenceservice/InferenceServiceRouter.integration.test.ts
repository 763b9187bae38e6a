import { ConflictError, InputError } from '@backstage/errors';
import type { TrafficChange } from '@mlplatform/plugin-ml-platform-node';
import { createInferenceService } from '../../services/Rollouts/__testUtils__/kserveFixtures';
import {
  applyVia,
  useTrafficRouterTestBed,
} from '../../services/Rollouts/__testUtils__/trafficRouterTestBed';
import { kubeOk, paths } from '../../services/Rollouts/__testUtils__/localKube';
import { inferenceServiceTrafficKind } from './index';

jest.setTimeout(60_000);

const MODEL = 'kserve-test-model';
const bed = useTrafficRouterTestBed({
  trafficKind: inferenceServiceTrafficKind,
  collectionPath: paths.inferenceServices,
});

/** An InferenceService of the model whose latest revision is 3 and previous 2. */
const createPreviousAndLatest = (name: string, canaryTrafficPercent: number) =>
  createInferenceService({
    ns: bed.ns,
    name,
    model: MODEL,
    previous: '2',
    latest: '3',
    canaryTrafficPercent,
  });

async function applyTo(
  name: string,
  change: TrafficChange,
  canaryTrafficPercent = 30,
) {
  await createPreviousAndLatest(name, canaryTrafficPercent);
  return bed.applyAndReread(name, MODEL, change);
}

describe('KServe InferenceService router', () => {
  it('reads the latest and previous revisions by version, as the catalog does', async () => {
    await createPreviousAndLatest('read', 30);
    const { split, resourceVersion } = await bed.readSplit('read', MODEL);
    expect(split).toEqual({ weights: { '2': 70, '3': 30 }, resourceVersion });
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
    await createPreviousAndLatest('invalid', 30);
    const invalid = await bed.refusals('invalid', MODEL);
    await expect(
      invalid.apply({ type: 'weights', weights: { '2': 1, '3': 2 } }),
    ).rejects.toThrow(
      new InputError(
        `weights: InferenceService ${bed.ns}/invalid takes whole percentages only, and version 3 would get 66.67 %`,
      ),
    );
    await expect(
      invalid.apply({ type: 'weights', weights: { '1': 100 } }),
    ).rejects.toThrow(InputError);
    await expect(invalid.apply({ type: 'retry' })).rejects.toThrow(InputError);
    await invalid.expectUnchanged();
  });

  it('applies nothing when the InferenceService changed since it was read', async () => {
    await createPreviousAndLatest('stale', 30);
    const { read, touched: changed } = await bed.readThenTouch('stale', {
      metadata: { labels: { touched: 'yes' } },
    });
    const router = await bed.router();
    await expect(
      applyVia(
        router,
        bed.ref('stale'),
        MODEL,
        { type: 'weights', weights: { '2': 50, '3': 50 } },
        {
          expectedResourceVersion: read.metadata.resourceVersion,
        },
      ),
    ).rejects.toThrow(ConflictError);
    expect(await kubeOk('GET', bed.path('stale'))).toEqual(changed);
  });
});
