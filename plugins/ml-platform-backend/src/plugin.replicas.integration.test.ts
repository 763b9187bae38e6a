import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { postgresTestDatabaseIds } from 'platform-tests';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';
import { localMlflowAdmin } from './services/MlflowRegistry/__testUtils__/localMlflowAdmin';
import {
  CountingProxy,
  startCountingProxy,
} from './services/RegistrySnapshots/__testUtils__/countingProxy';
import { mlflowSignedHeaders } from './services/Webhooks/__testUtils__/mlflowSignedHeaders';

/*
 * Several backend replicas on one database (PostgreSQL, production's, and
 * SQLite), with the real scheduler, against the real local MLflow. Each
 * replica reaches MLflow through a proxy of its own, which counts what that
 * replica asked.
 */

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

const mlflow = localMlflowAdmin();
const SECRET = 'replicas-test-webhook-secret';
const VERSIONS_SEARCH = '/api/2.0/mlflow/model-versions/search';
// Where a version's files are: the first read of judging it from its bytes.
const DOWNLOAD_URI = '/api/2.0/mlflow/model-versions/get-download-uri';

const seeded: string[] = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../scripts/platform/demo-platform.json'),
    'utf8',
  ),
).models.map((m: { name: string }) => m.name);

type Knex = Awaited<ReturnType<typeof databases.init>>;

async function startReplica(
  knex: Knex,
  proxy: CountingProxy,
  refresh: { frequency: object; pollInterval: object },
) {
  return startTestBackend({
    features: [
      mlPlatformPlugin,
      mockServices.database.factory({ knex }),
      // The real scheduler: global tasks are coordinated in the database.
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          mlPlatform: {
            refresh,
            registries: {
              mlflow: [
                {
                  id: 'demo',
                  baseUrl: proxy.url,
                  auth: {
                    username: mlflow.env.username,
                    password: mlflow.env.password,
                  },
                  webhook: { secret: SECRET },
                },
              ],
            },
          },
        },
      }),
    ],
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out: ${what}`);
    await sleep(100);
  }
}

const models = async (server: http.Server, query = '') =>
  (await request(server).get(`/api/ml-platform/models?limit=500${query}`)).body;

/** The answer once the registry has been read, well. */
const readModels = (server: http.Server) =>
  eventually('a first good read', async () => {
    const body = await models(server);
    return body.registries?.[0]?.ok ? body : undefined;
  });

const seededArtifactReads = (proxy: CountingProxy) =>
  proxy.requests.filter(
    r => r.path === DOWNLOAD_URI && seeded.includes(r.query.get('name') ?? ''),
  ).length;

describe.each(databases.eachSupportedId())(
  'two backend replicas on one %p database',
  databaseId => {
    let knex: Knex;
    const proxies: CountingProxy[] = [];
    const proxy = async () => {
      const p = await startCountingProxy(mlflow.env.url);
      proxies.push(p);
      return p;
    };

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    });
    afterAll(async () => {
      await Promise.all(proxies.map(p => p.close()));
    });

    it('answer the same, and a webhook to one reaches the other without it reading MLflow', async () => {
      const [proxyA, proxyB] = [await proxy(), await proxy()];
      const slow = {
        frequency: { hours: 1 },
        pollInterval: { milliseconds: 300 },
      };
      const a = await startReplica(knex, proxyA, slow);
      const b = await startReplica(knex, proxyB, slow);
      const scratch = `replicas-test-${randomUUID().slice(0, 8)}`;
      try {
        const fromA = await readModels(a.server);
        const fromB = await readModels(b.server);
        expect(fromB).toEqual(fromA);
        expect(fromA.items.map((m: { name: string }) => m.name)).toEqual(
          expect.arrayContaining(seeded),
        );
        const details = await Promise.all(
          [a, b].map(r =>
            request(r.server).get('/api/ml-platform/models/fraud-detector'),
          ),
        );
        expect(details[0].status).toBe(200);
        expect(details[1].body).toEqual(details[0].body);
        // One replica read the registry; the other loaded what it stored.
        expect(
          proxyA.count(VERSIONS_SEARCH) + proxyB.count(VERSIONS_SEARCH),
        ).toBe(1);

        const readsOfB = proxyB.requests.length;
        const readsOfA = proxyA.count(VERSIONS_SEARCH);
        await mlflow.api('POST', 'registered-models/create', {
          name: scratch,
        });
        const body = JSON.stringify({
          entity: 'registered_model',
          action: 'created',
          timestamp: new Date().toISOString(),
          data: { name: scratch },
        });
        const delivery = await request(a.server)
          .post('/api/ml-platform/webhooks/mlflow/demo')
          .set('authorization', mockCredentials.none.header())
          .set(mlflowSignedHeaders(body, { secret: SECRET }))
          .send(body);
        expect(delivery.status).toBe(202);

        const seenByB = await eventually('B sees the new model', async () => {
          const found = await models(b.server, `&search=${scratch}`);
          return found.items.length === 1 ? found : undefined;
        });
        expect(seenByB.items[0]).toMatchObject({
          name: scratch,
          registryId: 'demo',
        });
        expect(proxyA.count(VERSIONS_SEARCH)).toBeGreaterThan(readsOfA);
        expect(proxyB.requests.length).toBe(readsOfB);
      } finally {
        await mlflow
          .api('DELETE', 'registered-models/delete', { name: scratch })
          .catch(() => undefined);
        await a.stop();
        await b.stop();
      }
    });

    it('run the scheduled read on one replica per interval', async () => {
      const [proxyA, proxyB] = [await proxy(), await proxy()];
      const every4s = {
        frequency: { seconds: 4 },
        pollInterval: { milliseconds: 300 },
      };
      const a = await startReplica(knex, proxyA, every4s);
      const b = await startReplica(knex, proxyB, every4s);
      try {
        await readModels(a.server);
        await readModels(b.server);
        const since = Date.now();
        await sleep(17_000);
        const reads = [...proxyA.requests, ...proxyB.requests]
          .filter(r => r.path === VERSIONS_SEARCH && r.at >= since)
          .map(r => r.at)
          .sort((x, y) => x - y);
        // Replicas each running a local schedule would read in pairs.
        expect(reads.length).toBeGreaterThanOrEqual(2);
        expect(reads.length).toBeLessThanOrEqual(6);
        const gaps = reads.slice(1).map((at, i) => at - reads[i]);
        expect(Math.min(...gaps)).toBeGreaterThan(2_000);
      } finally {
        await a.stop();
        await b.stop();
      }
    });

    it('keep the snapshot and the verdicts across a restart: nothing re-reads an MLmodel', async () => {
      const proxyC = await proxy();
      const c = await startReplica(knex, proxyC, {
        frequency: { hours: 1 },
        pollInterval: { milliseconds: 300 },
      });
      try {
        // Served from the stored snapshot at once.
        const first = await models(c.server);
        expect(first.registries[0]).toMatchObject({ id: 'demo', ok: true });
        expect(first.items.map((m: { name: string }) => m.name)).toEqual(
          expect.arrayContaining(seeded),
        );

        await request(c.server).post('/api/ml-platform/refresh').expect(204);
        expect(proxyC.count(VERSIONS_SEARCH)).toBeGreaterThanOrEqual(1);
        expect(seededArtifactReads(proxyC)).toBe(0);
        const after = await models(c.server);
        expect(after.items.filter((m: any) => seeded.includes(m.name))).toEqual(
          first.items.filter((m: any) => seeded.includes(m.name)),
        );
      } finally {
        await c.stop();
      }
      // Each seeded MLmodel was read once, by the first replica that needed it.
      const allReads = proxies.reduce((n, p) => n + seededArtifactReads(p), 0);
      expect(allReads).toBe(
        (await knex('ml_platform_safety_verdicts').whereIn('model', seeded))
          .length,
      );
    });
  },
);
