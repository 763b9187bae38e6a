import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { postgresTestDatabaseIds } from 'platform-tests';
import { createRegistrySnapshotStore } from './createRegistrySnapshotStore';
import {
  RegistryRead,
  createSharedRegistryReads,
} from './createSharedRegistryReads';
import { RegistrySnapshotStore } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const ok = (name: string): RegistryRead => ({
  status: { id: 'eu', type: 'test', ok: true, refreshedAt: 'now' },
  data: {
    models: [{ registryId: 'eu', name, aliases: {}, tags: {} }],
    versions: [],
  },
});

/** A read that waits until the test lets it end. */
function gatedRead(answer: () => RegistryRead) {
  const waiting: Array<() => void> = [];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    calls: () => calls,
    maxInFlight: () => maxInFlight,
    started: async (n: number) => {
      while (calls < n) await new Promise(r => setTimeout(r, 10));
    },
    finishOne: () => waiting.shift()?.(),
    read: async () => {
      calls += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>(r => waiting.push(r));
      inFlight -= 1;
      return answer();
    },
  };
}

function replica(
  store: RegistrySnapshotStore,
  read: () => Promise<RegistryRead>,
  leaseMs = 60_000,
) {
  const applied: RegistryRead[] = [];
  const reads = createSharedRegistryReads({
    store,
    registryIds: ['eu'],
    read,
    apply: (_, r) => applied.push(r),
    leaseMs,
    waitMs: 20,
  });
  return { reads, applied };
}

describe('createSharedRegistryReads', () => {
  it.each(databases.eachSupportedId())(
    'never reads on two replicas at once; refreshes asked for during a read share the one after it, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createRegistrySnapshotStore({
        database: mockServices.database({ knex }),
      });
      let n = 0;
      const gate = gatedRead(() => ok(`model-${++n}`));
      const [a, b, c] = [
        replica(store, gate.read),
        replica(store, gate.read),
        replica(store, gate.read),
      ];

      const fromA = a.reads.refresh('eu');
      await gate.started(1);
      // A webhook reaches B and C while A reads: the change may have come
      // after A's read began, so one more read must follow, and only one.
      const fromB = b.reads.refresh('eu');
      const fromC = c.reads.refresh('eu');
      await new Promise(r => setTimeout(r, 200));
      expect(gate.calls()).toBe(1);
      gate.finishOne();
      await fromA;
      await gate.started(2);
      gate.finishOne();
      await Promise.all([fromB, fromC]);

      expect(gate.calls()).toBe(2);
      expect(gate.maxInFlight()).toBe(1);
      // B and C return with the newest read; A loads it on its next poll.
      await a.reads.sync();
      for (const r of [a, b, c]) {
        expect(r.applied.at(-1)?.data?.models[0].name).toBe('model-2');
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'reads again once the claim of a replica that died mid-read lapses, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createRegistrySnapshotStore({
        database: mockServices.database({ knex }),
      });
      await store.register(['eu']);
      // The dead replica's claim, never released.
      expect(await store.claim('eu', 'dead-replica', 300)).toEqual({
        requests: 0,
      });
      const read = jest.fn(async () => ok('after-lapse'));
      const b = replica(store, read, 300);

      const started = Date.now();
      await b.reads.refresh('eu');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(read).toHaveBeenCalledTimes(1);
      expect(b.applied.at(-1)?.data?.models[0].name).toBe('after-lapse');
    },
  );

  it.each(databases.eachSupportedId())(
    'loads a snapshot only when it changed, and a failed read keeps the data stored before, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createRegistrySnapshotStore({
        database: mockServices.database({ knex }),
      });
      const answers: RegistryRead[] = [
        ok('same'),
        ok('same'),
        { status: { id: 'eu', type: 'test', ok: false, error: 'down' } },
      ];
      const a = replica(store, async () => answers.shift()!);
      const dataLoads = jest.spyOn(store, 'data');
      const b = replica(store, async () => {
        throw new Error('B never reads');
      });

      await a.reads.start();
      await b.reads.sync();
      expect(dataLoads).toHaveBeenCalledTimes(1);
      expect(b.applied).toEqual([
        {
          status: ok('same').status,
          data: expect.objectContaining(ok('same').data),
        },
      ]);

      // Read again, the same: B takes the new status, not the data again.
      await a.reads.refresh('eu');
      await b.reads.sync();
      expect(dataLoads).toHaveBeenCalledTimes(1);
      expect(b.applied).toHaveLength(2);
      expect(b.applied[1].data).toBeUndefined();

      await a.reads.refresh('eu');
      await b.reads.sync();
      expect(b.applied[2]).toEqual({
        status: { id: 'eu', type: 'test', ok: false, error: 'down' },
      });
      expect((await store.data('eu'))?.models[0].name).toBe('same');

      // A replica configured with other registries leaves this one alone.
      const elsewhere = jest.fn();
      await createSharedRegistryReads({
        store,
        registryIds: ['us'],
        read: async () => ok('us'),
        apply: elsewhere,
        leaseMs: 60_000,
        waitMs: 20,
      }).sync();
      expect(elsewhere).not.toHaveBeenCalled();
    },
  );
});
