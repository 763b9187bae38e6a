import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';
import { mlflowSignedHeaders } from './services/Webhooks/__testUtils__/mlflowSignedHeaders';

/*
 * The webhook route through the plugin's real wiring. The MLflow here is a
 * stand-in that only answers the two searches and counts them;
 * MlflowWebhooks.serial.test.ts has the real server deliver.
 */

const SECRET = 'router-test-webhook-secret';
const ROUTE = '/api/ml-platform/webhooks/mlflow/eu';

type FakeMlflow = { url: string; reads: () => number; close: () => void };

async function startFakeMlflow(): Promise<FakeMlflow> {
  let reads = 0;
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    // One full read of the registry searches the versions once (and the
    // models twice, for their aliases).
    if (req.url?.startsWith('/api/2.0/mlflow/model-versions/search')) {
      reads += 1;
      res.end('{}');
    } else if (
      req.url?.startsWith('/api/2.0/mlflow/registered-models/search')
    ) {
      res.end(
        JSON.stringify({ registered_models: [{ name: `model-${reads}` }] }),
      );
    } else {
      res.end('{}');
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads: () => reads,
    close: () => server.close(),
  };
}

const signed = (
  body: string,
  options: { secret?: string; timestamp?: number } = {},
) => mlflowSignedHeaders(body, { secret: SECRET, ...options });

const event = (entity = 'model_version', action = 'created') =>
  JSON.stringify({
    entity,
    action,
    timestamp: new Date().toISOString(),
    data: { name: 'model-2', version: '1', tags: {} },
  });

describe('POST /webhooks/mlflow/:registryId', () => {
  let mlflow: FakeMlflow;
  beforeEach(async () => {
    mlflow = await startFakeMlflow();
  });
  afterEach(() => mlflow.close());

  const backend = () =>
    startTestBackend({
      features: [
        mlPlatformPlugin,
        mockServices.rootConfig.factory({
          data: {
            mlPlatform: {
              refresh: { frequency: { hours: 1 } },
              registries: {
                mlflow: [
                  {
                    id: 'eu',
                    baseUrl: mlflow.url,
                    webhook: { secret: SECRET },
                  },
                  // Another path, so that its reads are not counted.
                  { id: 'us', baseUrl: `${mlflow.url}/us` },
                ],
              },
            },
          },
        }),
      ],
    });

  const models = async (server: http.Server) =>
    (await request(server).get('/api/ml-platform/models')).body.items
      .map(
        (m: { name: string; registryId: string }) =>
          m.registryId === 'eu' && m.name,
      )
      .filter(Boolean);

  const post = (server: http.Server, body: string, headers: object) =>
    request(server)
      .post(ROUTE)
      .set('authorization', mockCredentials.none.header())
      .set(headers as Record<string, string>)
      .send(body);

  // The schedule's first run reads once more at startup; counting starts
  // when the reads have stopped.
  async function quiet(server: http.Server) {
    await models(server);
    let last = -1;
    while (mlflow.reads() !== last) {
      last = mlflow.reads();
      await new Promise(r => setTimeout(r, 400));
    }
  }

  async function settled(check: () => Promise<boolean>) {
    for (let i = 0; i < 100 && !(await check()); i++) {
      await new Promise(r => setTimeout(r, 20));
    }
  }

  it('reads the registry again on a signed delivery, without credentials or /refresh', async () => {
    const { server } = await backend();
    await quiet(server);
    const [first] = await models(server);
    const before = mlflow.reads();

    const body = event();
    const headers = signed(body);
    const res = await post(server, body, headers);

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      deliveryId: headers['x-mlflow-delivery-id'],
      event: 'model_version.created',
      refresh: true,
    });
    await settled(async () => mlflow.reads() > before);
    await settled(async () => (await models(server))[0] !== first);
    expect(await models(server)).not.toEqual([first]);
  });

  it('refuses forged, stale, malformed, misrouted and replayed deliveries, and reads nothing', async () => {
    const { server } = await backend();
    await quiet(server);
    const readsBefore = mlflow.reads();
    const body = event();
    const stale = Math.floor(Date.now() / 1000) - 301;
    const valid = signed(body);
    await post(server, body, valid).expect(202);
    await settled(async () => mlflow.reads() > readsBefore);
    const reads = mlflow.reads();

    const cases: Array<[string, string, object, number, string]> = [
      [
        'tampered body',
        body.replace('model-2', 'model-9'),
        signed(body),
        401,
        'AuthenticationError',
      ],
      [
        'wrong secret',
        body,
        signed(body, { secret: 'someone-elses-secret' }),
        401,
        'AuthenticationError',
      ],
      [
        'stale timestamp',
        body,
        signed(body, { timestamp: stale }),
        401,
        'AuthenticationError',
      ],
      [
        'no signature',
        body,
        { ...signed(body), 'x-mlflow-signature': '' },
        401,
        'AuthenticationError',
      ],
      [
        'no delivery id',
        body,
        { ...signed(body), 'x-mlflow-delivery-id': '' },
        400,
        'InputError',
      ],
      ['not JSON', 'nope', signed('nope'), 400, 'InputError'],
      ['replayed', body, valid, 409, 'ConflictError'],
    ];
    for (const [what, sent, headers, status, name] of cases) {
      const res = await post(server, sent, headers);
      expect({ what, status: res.status, name: res.body.error?.name }).toEqual({
        what,
        status,
        name,
      });
    }

    const otherRegistry = await request(server)
      .post('/api/ml-platform/webhooks/mlflow/us')
      .set(signed(body))
      .send(body);
    expect(otherRegistry.status).toBe(404);

    const tooLarge = 'x'.repeat(300 * 1024);
    expect((await post(server, tooLarge, signed(tooLarge))).status).toBe(413);

    await new Promise(r => setTimeout(r, 200));
    expect(mlflow.reads()).toBe(reads);
  });

  it('turns a burst of 50 deliveries into a read per half second, not 50', async () => {
    const { server } = await backend();
    await quiet(server);
    const before = mlflow.reads();

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => {
        const body = event('model_version_alias', 'created');
        return post(server, body, signed(body));
      }),
    );
    const burstMs = Date.now() - started;

    expect(answers.map(a => a.status)).toEqual(Array(50).fill(202));
    await settled(async () => mlflow.reads() > before);
    await new Promise(r => setTimeout(r, 700));
    const reads = mlflow.reads() - before;
    // Deliveries are batched for 500 ms: one read per window the burst
    // spanned, however many deliveries each window held.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil(burstMs / 500) + 1);
  });

  it('accepts events outside the catalog without reading', async () => {
    const { server } = await backend();
    await quiet(server);
    const before = mlflow.reads();
    const body = event('prompt', 'created');
    const res = await post(server, body, signed(body));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event: 'prompt.created', refresh: false });
    await new Promise(r => setTimeout(r, 200));
    expect(mlflow.reads()).toBe(before);
  });

  it('opens only the webhook route to unauthenticated callers', async () => {
    const { server } = await backend();
    for (const path of ['/models', '/tools', '/models/model-1']) {
      const res = await request(server)
        .get(`/api/ml-platform${path}`)
        .set('authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    }
  });
});
