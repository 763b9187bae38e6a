import { elapsedSince } from './elapsedSince';
import { parseTaskTime } from './readTaskStart';

describe('elapsedSince', () => {
  it('gives one figure when the start is stored to the millisecond', () => {
    const start = parseTaskTime('2026-12-03T08:30:12.250Z')!;
    const now = Date.parse('2026-12-03T08:30:15.300Z');

    expect(elapsedSince(start, now)).toEqual({ atMost: 3.1, text: '3.1 s' });
  });

  it('gives the range the true duration lies in when the start is stored to the second', () => {
    // SQLite's CURRENT_TIMESTAMP: the task began somewhere in 08:30:12.x.
    const start = parseTaskTime('2026-12-03 08:30:12')!;
    const now = Date.parse('2026-12-03T08:30:15.400Z');

    expect(start).toEqual({
      at: Date.parse('2026-12-03T08:30:12Z'),
      resolutionMs: 1000,
    });
    expect(elapsedSince(start, now)).toEqual({
      atMost: 3.4,
      atLeast: 2.4,
      text: '2.4–3.4 s',
    });
  });

  it('never claims less than nothing', () => {
    const start = parseTaskTime('2026-12-03T08:30:12Z')!;

    expect(
      elapsedSince(start, Date.parse('2026-12-03T08:30:12.500Z')),
    ).toMatchObject({ atLeast: 0, atMost: 0.5 });
  });
});
