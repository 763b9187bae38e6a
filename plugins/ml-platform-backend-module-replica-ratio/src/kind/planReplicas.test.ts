import { InputError } from '@backstage/errors';
import { planReplicas } from './planReplicas';

const where = 'Service ml/scorer';

describe('planReplicas', () => {
  it('keeps the number of replicas when it gives the shares exactly', () => {
    expect(
      planReplicas({ '1': 3, '2': 1 }, { '1': 50, '2': 50 }, where),
    ).toEqual({ '1': 2, '2': 2 });
    expect(
      planReplicas({ '1': 3, '2': 1 }, { '1': 0, '2': 100 }, where),
    ).toEqual({ '1': 0, '2': 4 });
  });

  it('grows to the fewest replicas that give the shares, at most twice as many', () => {
    // 90/10 needs 10 pods; 4 today allows up to 8: refused.
    expect(() =>
      planReplicas({ '1': 3, '2': 1 }, { '1': 90, '2': 10 }, where),
    ).toThrow(InputError);
    // 2/3 needs 3 pods, 2 today: one more.
    expect(planReplicas({ '1': 1, '2': 1 }, { '1': 2, '2': 1 }, where)).toEqual(
      {
        '1': 2,
        '2': 1,
      },
    );
  });

  it('names the nearest split at today’s size when none fits', () => {
    expect(() =>
      planReplicas({ '1': 2, '2': 2 }, { '1': 90, '2': 10 }, where),
    ).toThrow(
      'weights: Service ml/scorer splits traffic by ready replicas, and no size from 4 to 8 replicas in all gives exactly the requested shares; the nearest with 4 replicas: version 1 4 (100 %), version 2 0 (0 %)',
    );
  });
});
