import {
  defaultCandidate,
  distribute,
  mainVersion,
  setPercent,
} from './splitMath';

describe('splitMath', () => {
  it('keeps a split at 100 when one version changes, sharing the rest in proportion', () => {
    expect(setPercent({ '4': 60, '5': 30, '6': 10 }, '6', 40)).toEqual({
      '4': 40,
      '5': 20,
      '6': 40,
    });
    expect(setPercent({ '5': 100, '6': 0, '7': 0 }, '5', 40)).toEqual({
      '5': 40,
      '6': 30,
      '7': 30,
    });
    expect(setPercent({ '5': 90, '6': 10 }, '6', 250)).toEqual({
      '5': 0,
      '6': 100,
    });
  });

  it('gives the leftover points to the largest remainders', () => {
    expect(distribute(['a', 'b', 'c'], {}, 100)).toEqual({
      a: 34,
      b: 33,
      c: 33,
    });
  });

  it('picks the newest idle version as the candidate, else the newest one that is not the main one', () => {
    expect(defaultCandidate({ '3': 0, '4': 0, '5': 100 })).toBe('4');
    expect(defaultCandidate({ '5': 90, '6': 10 })).toBe('6');
    expect(defaultCandidate({ '10': 10, '9': 90 })).toBe('10');
    expect(mainVersion({ '9': 50, '10': 50 })).toBe('10');
  });
});
