import { batchRefreshes } from './batchRefreshes';

describe('batchRefreshes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('turns the events of one window into one refresh per registry', () => {
    const refresh = jest.fn();
    const request = batchRefreshes(refresh, 500);

    for (let i = 0; i < 50; i++) request('eu');
    request('us');
    jest.advanceTimersByTime(499);
    expect(refresh).not.toHaveBeenCalled();

    jest.advanceTimersByTime(1);
    expect(refresh.mock.calls).toEqual([['eu'], ['us']]);
  });

  it('starts a new window for an event after the refresh was asked for', () => {
    const refresh = jest.fn();
    const request = batchRefreshes(refresh, 500);

    request('eu');
    jest.advanceTimersByTime(500);
    request('eu');
    request('eu');
    jest.advanceTimersByTime(500);

    expect(refresh.mock.calls).toEqual([['eu'], ['eu']]);
  });
});
