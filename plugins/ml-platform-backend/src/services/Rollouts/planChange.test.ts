import { InputError, NotFoundError } from '@backstage/errors';
import type { RolloutRequest } from '@mlplatform/plugin-ml-platform-common';
import { planChange } from './planChange';

const base = { model: 'm', cluster: 'c', namespace: 'n' };
const none = async () => undefined;

describe('planChange', () => {
  it('gives a canary its share and the others the rest in their proportions, in whole numbers adding up to 100', () => {
    const plan = planChange(
      { ...base, strategy: 'canary', target: { version: '7', percent: 5 } },
      { '5': 90, '6': 10, '7': 0 },
      none,
    );
    expect(plan).toEqual({
      change: { type: 'weights', weights: { '5': 86, '6': 9, '7': 5 } },
      intended: { '5': 86, '6': 9, '7': 5 },
      named: ['7'],
      field: 'target.version',
    });

    const thirds = planChange(
      { ...base, strategy: 'canary', target: { version: 'd', percent: 1 } },
      { a: 1, b: 1, c: 1, d: 0 },
      none,
    ) as { intended: Record<string, number> };
    expect(thirds.intended).toEqual({ a: 33, b: 33, c: 33, d: 1 });
  });

  it('refuses a canary below 100 % when no other version serves traffic to take the rest', () => {
    expect(() =>
      planChange(
        { ...base, strategy: 'canary', target: { version: '6', percent: 20 } },
        { '5': 0, '6': 100 },
        none,
      ),
    ).toThrow(
      new InputError(
        'target.percent: no other version serves traffic now to take the remaining 80 %; use the split strategy to name the versions',
      ),
    );
  });

  it('sets every version the request leaves out of a split to 0', () => {
    const plan = planChange(
      { ...base, strategy: 'split', weights: { '6': 3 } },
      { '5': 90, '6': 10 },
      none,
    ) as { intended: Record<string, number> };
    expect(plan.intended).toEqual({ '5': 0, '6': 3 });
  });

  it('rolls back to the split recorded before the latest succeeded rollout, or says there is none', async () => {
    const request: RolloutRequest = { ...base, strategy: 'rollback' };
    const plan = await planChange(request, { '5': 50, '6': 50 }, async () => ({
      id: '1',
      at: '2026-11-29T10:00:00.000Z',
      actor: 'user:default/jane',
      model: 'm',
      cluster: 'c',
      namespace: 'n',
      strategy: 'canary',
      result: 'succeeded',
      before: {
        versions: [
          { version: '5', weight: 90, percent: 90 },
          { version: '6', weight: 10, percent: 10 },
        ],
      },
    }));
    expect(plan.change).toEqual({
      type: 'weights',
      weights: { '5': 90, '6': 10 },
    });

    await expect(planChange(request, {}, none)).rejects.toThrow(NotFoundError);
  });

  it('rejects an unknown strategy, naming the field', () => {
    expect(() =>
      planChange({ ...base, strategy: 'gradual' as any }, {}, none),
    ).toThrow(
      'strategy: expected split, canary, promote, rollback, abort or retry, got "gradual"',
    );
  });
});
