import {
  TestDatabases,
  mockServices,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { postgresTestDatabaseIds } from 'platform-tests';
import { createRolloutAuditStore } from './createRolloutAuditStore';
import type { NewRolloutAuditRecord } from './types';

jest.setTimeout(60_000);

// PostgreSQL (production's database, from scripts/platform/postgres.sh) and
// SQLite (the demo's).
const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const split = (weights: Record<string, number>) => {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return {
    versions: Object.entries(weights).map(([version, weight]) => ({
      version,
      weight,
      percent: total ? (weight / total) * 100 : 0,
    })),
  };
};

async function storeOn(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  return createRolloutAuditStore({ database: mockServices.database({ knex }) });
}

const deployment = {
  model: 'fraud-detector',
  cluster: 'prod',
  namespace: 'ml-prod',
};

function attempt(
  overrides: Partial<NewRolloutAuditRecord> = {},
): NewRolloutAuditRecord {
  return {
    actor: 'user:default/jane',
    ...deployment,
    registryId: 'mlflow',
    router: { kind: 'HTTPRoute', name: 'fraud-scorer' },
    strategy: 'canary',
    before: split({ '5': 90, '6': 10 }),
    after: split({ '5': 80, '6': 20 }),
    result: 'succeeded',
    ...overrides,
  };
}

describe('createRolloutAuditStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps every field of every outcome and lists newest first, on %p',
    async databaseId => {
      const store = await storeOn(databaseId);
      const at = new Date('2026-11-29T10:00:00.123Z');

      const promotion = attempt({
        at,
        strategy: 'promote',
        aliasChange: { alias: 'champion', from: '5', to: '6' },
      });
      const succeeded = await store.record(promotion);
      expect(succeeded).toEqual({
        ...promotion,
        id: expect.any(String),
        at: '2026-11-29T10:00:00.123Z',
      });
      const conflict = await store.record(
        attempt({ result: 'conflict', error: 'The HTTPRoute changed' }),
      );
      const refused = await store.record(
        attempt({
          result: 'refused',
          registryId: undefined,
          router: undefined,
          before: undefined,
          after: undefined,
          error: 'Version 7 is unsafe',
        }),
      );
      const failed = await store.record(
        attempt({ result: 'failed', error: '500 InternalError' }),
      );

      const page = await store.list({ model: 'fraud-detector', limit: 10 });
      expect(page.nextCursor).toBeUndefined();
      expect(page.items.map(r => r.id)).toEqual([
        failed.id,
        refused.id,
        conflict.id,
        succeeded.id,
      ]);
      expect(page.items.map(r => r.result)).toEqual([
        'failed',
        'refused',
        'conflict',
        'succeeded',
      ]);
      // what was left out stays out, rather than coming back as null
      expect(page.items[1]).toEqual({
        id: refused.id,
        at: expect.any(String),
        actor: 'user:default/jane',
        model: 'fraud-detector',
        cluster: 'prod',
        namespace: 'ml-prod',
        strategy: 'canary',
        result: 'refused',
        error: 'Version 7 is unsafe',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'filters by deployment and pages through older records with the cursor, on %p',
    async databaseId => {
      const store = await storeOn(databaseId);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await store.record(attempt())).id);
      }
      await store.record(attempt({ namespace: 'ml-staging' }));
      await store.record(attempt({ cluster: 'dev' }));
      await store.record(attempt({ model: 'churn-predictor' }));

      const first = await store.list({ ...deployment, limit: 2 });
      expect(first.items.map(r => r.id)).toEqual([ids[4], ids[3]]);
      const second = await store.list({
        ...deployment,
        limit: 2,
        before: first.nextCursor,
      });
      expect(second.items.map(r => r.id)).toEqual([ids[2], ids[1]]);
      const last = await store.list({
        ...deployment,
        limit: 2,
        before: second.nextCursor,
      });
      expect(last.items.map(r => r.id)).toEqual([ids[0]]);
      expect(last.nextCursor).toBeUndefined();

      expect(
        (await store.list({ model: 'fraud-detector', limit: 100 })).items,
      ).toHaveLength(7);
      expect(
        (
          await store.list({
            model: 'fraud-detector',
            registryId: 'mlflow',
            limit: 100,
          })
        ).items,
      ).toHaveLength(7);
      expect(
        (
          await store.list({
            model: 'fraud-detector',
            registryId: 'other',
            limit: 100,
          })
        ).items,
      ).toEqual([]);
      expect(
        (
          await store.list({
            model: 'fraud-detector',
            cluster: 'dev',
            limit: 9,
          })
        ).items.map(r => r.cluster),
      ).toEqual(['dev']);
      await expect(
        store.list({ model: 'fraud-detector', limit: 0 }),
      ).rejects.toThrow('Invalid limit 0');
      await expect(
        store.list({ model: 'fraud-detector', limit: 5, before: 'x; drop' }),
      ).rejects.toThrow("Invalid cursor 'before'");
    },
  );

  it.each(databases.eachSupportedId())(
    'finds the latest succeeded rollout of a deployment, skipping other outcomes and deployments, on %p',
    async databaseId => {
      const store = await storeOn(databaseId);
      expect(await store.latestSucceeded(deployment)).toBeUndefined();

      await store.record(attempt({ before: split({ '5': 100 }) }));
      const latest = await store.record(
        attempt({ before: split({ '5': 50, '6': 50 }) }),
      );
      await store.record(attempt({ result: 'conflict' }));
      await store.record(attempt({ result: 'failed' }));
      await store.record(attempt({ result: 'refused' }));
      await store.record(attempt({ namespace: 'ml-staging' }));

      expect(await store.latestSucceeded(deployment)).toEqual(latest);
    },
  );

  it.each(databases.eachSupportedId())(
    "finds each model's newest succeeded rollout in any cluster, per registry, on %p",
    async databaseId => {
      const store = await storeOn(databaseId);
      expect(await store.latestSucceededPerModel()).toEqual([]);

      await store.record(attempt());
      const fraud = await store.record(attempt({ namespace: 'ml-staging' }));
      await store.record(attempt({ result: 'conflict' }));
      const otherRegistry = await store.record(attempt({ registryId: 'us' }));
      const churn = await store.record(
        attempt({ model: 'churn', strategy: 'promote' }),
      );
      await store.record(attempt({ model: 'ranker', result: 'refused' }));

      const newest = await store.latestSucceededPerModel();
      expect(newest.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [fraud, otherRegistry, churn].sort((a, b) => a.id.localeCompare(b.id)),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps every record when replicas write at once, and survives a restart, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const replicaA = await createRolloutAuditStore({ database });
      const replicaB = await createRolloutAuditStore({ database });

      const written = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? replicaA : replicaB).record(
            attempt({ actor: `user:default/u${i}` }),
          ),
        ),
      );
      expect(new Set(written.map(r => r.id)).size).toBe(40);

      // migrations run again on start and must leave the data alone
      const restarted = await createRolloutAuditStore({ database });
      const all = await restarted.list({ model: 'fraud-detector', limit: 100 });
      expect(all.items).toHaveLength(40);
      expect(new Set(all.items.map(r => r.actor)).size).toBe(40);
    },
  );
});
