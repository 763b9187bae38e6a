import { median } from './median';

describe('median', () => {
  it('takes the middle value, or halfway between the middle two', () => {
    expect(median([5, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
