import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { postgresTestDatabaseIds } from 'platform-tests';
import {
  createLeadTimeStore,
  firstServingKey,
  firstServingOf,
} from './createLeadTimeStore';
import type { ServingObservation } from './types';

jest.setTimeout(60_000);

// PostgreSQL (production's database, from scripts/platform/postgres.sh) and
// SQLite (the demo's); PostgreSQL is skipped only outside CI when it is not up.
const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const T0 = new Date('2026-11-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function seen(
  overrides: Partial<ServingObservation> & { at: Date },
): ServingObservation {
  return {
    registryId: 'mlflow',
    model: 'fraud-scorer',
    version: '6',
    cluster: 'prod',
    namespace: 'ml-prod',
    ...overrides,
  };
}

describe('createLeadTimeStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps the first time, ignores later sightings and moves to earlier ones, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createLeadTimeStore({
        database: mockServices.database({ knex }),
      });
      const key = firstServingKey({
        registryId: 'mlflow',
        model: 'fraud-scorer',
        version: '6',
      });

      await store.recordServing([seen({ at: minutes(10) })]);
      expect((await store.firstServing()).get(key)).toEqual({
        registryId: 'mlflow',
        model: 'fraud-scorer',
        version: '6',
        at: minutes(10),
        cluster: 'prod',
        namespace: 'ml-prod',
      });

      // later, elsewhere, and the same sighting again: nothing moves
      await store.recordServing([
        seen({ at: minutes(20), cluster: 'dev', namespace: 'ml-dev' }),
        seen({ at: minutes(10) }),
      ]);
      expect((await store.firstServing()).get(key)).toMatchObject({
        at: minutes(10),
        cluster: 'prod',
      });

      // an earlier sighting (e.g. from a replica that saw it first) wins, with its place
      await store.recordServing([
        seen({ at: minutes(5), cluster: 'dev', namespace: 'ml-dev' }),
      ]);
      expect((await store.firstServing()).get(key)).toMatchObject({
        at: minutes(5),
        cluster: 'dev',
        namespace: 'ml-dev',
      });
      expect(await knex('ml_platform_first_serving')).toHaveLength(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps one row per version, registry and model, taking the earliest of one batch, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createLeadTimeStore({
        database: mockServices.database({ knex }),
      });

      await store.recordServing([
        seen({ at: minutes(3), cluster: 'eu' }),
        seen({ at: minutes(1), cluster: 'us' }),
        seen({ at: minutes(2), version: '7' }),
        seen({ at: minutes(4), registryId: undefined }),
        seen({ at: minutes(5), model: 'churn' }),
      ]);

      const all = await store.firstServing();
      expect(
        [...all.values()].map(f => [
          f.registryId,
          f.model,
          f.version,
          f.cluster,
          f.at,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['mlflow', 'fraud-scorer', '6', 'us', minutes(1)],
          ['mlflow', 'fraud-scorer', '7', 'prod', minutes(2)],
          [undefined, 'fraud-scorer', '6', 'prod', minutes(4)],
          ['mlflow', 'churn', '6', 'prod', minutes(5)],
        ]),
      );
      expect(all.size).toBe(4);
      expect([
        ...(await store.firstServing({ model: 'churn' })).values(),
      ]).toEqual([expect.objectContaining({ model: 'churn' })]);

      // The default registry's version also counts a deployment that named
      // no registry; another registry's same-named version does not.
      expect(
        firstServingOf(
          all,
          { registryId: 'mlflow', model: 'fraud-scorer', version: '6' },
          'mlflow',
        )?.at,
      ).toEqual(minutes(1));
      expect(
        firstServingOf(
          all,
          { registryId: 'other', model: 'fraud-scorer', version: '6' },
          'other',
        )?.at,
      ).toEqual(minutes(4));
      expect(
        firstServingOf(
          all,
          { registryId: 'other', model: 'fraud-scorer', version: '6' },
          'mlflow',
        ),
      ).toBeUndefined();
      expect(
        firstServingOf(
          all,
          { registryId: 'mlflow', model: 'fraud-scorer', version: '8' },
          'mlflow',
        ),
      ).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'ends with one row holding the earliest time when two replicas record at once, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const replicaA = await createLeadTimeStore({ database });
      const replicaB = await createLeadTimeStore({ database });

      await Promise.all([
        replicaA.recordServing([seen({ at: minutes(2), cluster: 'a' })]),
        replicaB.recordServing([seen({ at: minutes(1), cluster: 'b' })]),
        replicaA.recordServing([seen({ at: minutes(3), cluster: 'a' })]),
        replicaB.recordServing([seen({ at: minutes(1), cluster: 'b' })]),
      ]);

      const rows = await knex('ml_platform_first_serving');
      expect(rows).toHaveLength(1);
      expect([...(await replicaA.firstServing()).values()]).toEqual([
        expect.objectContaining({ at: minutes(1), cluster: 'b' }),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'lets replicas record the same versions at once in any order, without deadlocks, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const replicaA = await createLeadTimeStore({ database });
      const replicaB = await createLeadTimeStore({ database });
      const versions = Array.from({ length: 100 }, (_, i) => String(i + 1));
      const sightings = (cluster: string, at: Date, order: string[]) =>
        order.map(version => seen({ version, cluster, at }));

      // Every write moves every row to an earlier time, A going through the
      // versions upwards, B downwards, on several connections at once: the
      // row locks of statements that lock in opposite orders deadlock.
      const rounds = 20;
      const writes = [];
      for (let round = 0; round < rounds; round++) {
        writes.push(
          replicaA.recordServing(
            sightings('a', minutes(100 - 2 * round), versions),
          ),
          replicaB.recordServing(
            sightings('b', minutes(99 - 2 * round), [...versions].reverse()),
          ),
        );
      }
      await Promise.all(writes);

      const all = [...(await replicaA.firstServing()).values()];
      expect(all).toHaveLength(versions.length);
      for (const first of all) {
        expect(first).toMatchObject({
          at: minutes(99 - 2 * (rounds - 1)),
          cluster: 'b',
        });
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'survives a restart: a new store on the same database reads what was recorded, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const before = await createLeadTimeStore({
        database: mockServices.database({ knex }),
      });
      await before.recordServing([seen({ at: minutes(7) })]);

      // migrations run again on start and must leave the data alone
      const after = await createLeadTimeStore({
        database: mockServices.database({ knex }),
      });
      expect([...(await after.firstServing()).values()]).toEqual([
        {
          registryId: 'mlflow',
          model: 'fraud-scorer',
          version: '6',
          at: minutes(7),
          cluster: 'prod',
          namespace: 'ml-prod',
        },
      ]);
      await after.recordServing([seen({ at: minutes(9) })]);
      expect([...(await after.firstServing()).values()][0].at).toEqual(
        minutes(7),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'rejects an invalid time instead of storing it, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await createLeadTimeStore({
        database: mockServices.database({ knex }),
      });
      await expect(
        store.recordServing([seen({ at: new Date('not a date') })]),
      ).rejects.toThrow('Invalid time for fraud-scorer version 6');
      expect((await store.firstServing()).size).toBe(0);
    },
  );
});
