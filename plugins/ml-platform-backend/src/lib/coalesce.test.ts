import { coalesce } from './coalesce';

function controlledReads() {
  const pending: Array<() => void> = [];
  let started = 0;
  const read = () =>
    new Promise<void>(resolve => {
      started += 1;
      pending.push(resolve);
    });
  return {
    read,
    started: () => started,
    finishOldest: async () => {
      pending.shift()!();
      // Lets the promise chains of the wrapper run.
      await new Promise(r => setImmediate(r));
    },
  };
}

describe('coalesce', () => {
  it('serves a burst of calls with the running read and one read after it', async () => {
    const reads = controlledReads();
    const refresh = coalesce(reads.read);

    const first = refresh();
    const burst = Array.from({ length: 50 }, () => refresh());
    expect(reads.started()).toBe(1);

    let burstDone = false;
    Promise.all(burst).then(() => {
      burstDone = true;
    });
    await reads.finishOldest();
    await first;
    // The burst arrived while the first read ran, so it may have missed
    // what they announce: one more read, shared by all fifty.
    expect(reads.started()).toBe(2);
    expect(burstDone).toBe(false);

    await reads.finishOldest();
    await Promise.all(burst);
    expect(reads.started()).toBe(2);
  });

  it('starts a fresh read for a call after the last one ended', async () => {
    const reads = controlledReads();
    const refresh = coalesce(reads.read);

    const one = refresh();
    await reads.finishOldest();
    await one;
    const two = refresh();
    expect(reads.started()).toBe(2);
    await reads.finishOldest();
    await two;
  });

  it('runs the queued read even when the running one fails', async () => {
    let calls = 0;
    const refresh = coalesce(async () => {
      calls += 1;
      if (calls === 1) throw new Error('registry down');
    });

    const failing = refresh();
    const queued = refresh();
    await expect(failing).rejects.toThrow('registry down');
    await expect(queued).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
