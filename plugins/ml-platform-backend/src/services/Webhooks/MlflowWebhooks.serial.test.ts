import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { mlPlatformPlugin } from '../../plugin';
import { localMlflowAdmin } from '../MlflowRegistry/__testUtils__/localMlflowAdmin';
import { registerMlflowWebhook } from './registerMlflowWebhook';

/*
 * The real MLflow (scripts/platform/mlflow.sh, which lets its webhooks reach
 * 127.0.0.1) delivers to the plugin running in a test backend. Serial: it
 * registers a model, which other suites would see in their listings.
 */

const { env, client: mlflow, api: mlflowApi } = localMlflowAdmin();

const PREFIX = 'ml-platform-webhook-it-';
const RUN = randomBytes(4).toString('hex');
const WEBHOOK_NAME = `${PREFIX}${RUN}`;
const MODEL = `${PREFIX}${RUN}`;
const SECRET = randomBytes(24).toString('base64url');

async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

type Delivery = { event?: string; signature?: string; status?: number };

describe('MLflow registry webhooks, delivered by the real server', () => {
  // Stands in for the ingress in front of the backend: its address goes into
  // the config before the test backend, which listens on a random port, runs.
  let target: AddressInfo | undefined;
  const deliveries: Delivery[] = [];
  const ingress = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen: Delivery = {
        signature: req.headers['x-mlflow-signature'] as string | undefined,
      };
      try {
        const parsed = JSON.parse(body.toString());
        seen.event = `${parsed.entity}.${parsed.action}`;
      } catch {
        // Recorded without an event.
      }
      deliveries.push(seen);
      const upstream = http.request(
        {
          host: '127.0.0.1',
          port: target!.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        up => {
          seen.status = up.statusCode;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.end(body);
    });
  });
  let server: http.Server;
  let webhookUrl: string;

  beforeAll(async () => {
    // Webhooks left by an interrupted earlier run would be delivered to
    // nothing at every event.
    for (const w of await mlflow.listWebhooks()) {
      if (w.name.startsWith(PREFIX)) await mlflow.deleteWebhook(w.webhook_id);
    }
    await new Promise<void>(r => ingress.listen(0, '127.0.0.1', r));
    const { port } = ingress.address() as AddressInfo;
    webhookUrl = `http://127.0.0.1:${port}/api/ml-platform/webhooks/mlflow/it`;

    ({ server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        mockServices.rootConfig.factory({
          data: {
            mlPlatform: {
              // The schedule must not be what shows the change.
              refresh: { frequency: { hours: 6 } },
              registries: {
                mlflow: [
                  {
                    id: 'it',
                    baseUrl: env.url,
                    auth: { username: env.username, password: env.password },
                    webhook: {
                      secret: SECRET,
                      url: webhookUrl,
                      name: WEBHOOK_NAME,
                    },
                  },
                ],
              },
            },
          },
        }),
      ],
    }));
    target = server.address() as AddressInfo;
  });

  afterAll(async () => {
    await mlflowApi('DELETE', 'registered-models/delete', {
      name: MODEL,
    }).catch(() => undefined);
    for (const w of await mlflow.listWebhooks()) {
      if (w.name === WEBHOOK_NAME) await mlflow.deleteWebhook(w.webhook_id);
    }
    await new Promise(r => ingress.close(r));
  });

  const ours = async () =>
    (await mlflow.listWebhooks()).filter(w => w.name === WEBHOOK_NAME);

  it('registers its webhook in MLflow at startup, once however often it runs', async () => {
    const [webhook] = await eventually('the webhook registration', async () =>
      (await ours()).length > 0 ? ours() : undefined,
    );
    expect(webhook).toMatchObject({ url: webhookUrl, status: 'ACTIVE' });
    expect(webhook.events.map(e => `${e.entity}.${e.action}`).sort()).toEqual([
      'MODEL_VERSION.CREATED',
      'MODEL_VERSION_ALIAS.CREATED',
      'MODEL_VERSION_ALIAS.DELETED',
      'MODEL_VERSION_TAG.DELETED',
      'MODEL_VERSION_TAG.SET',
      'REGISTERED_MODEL.CREATED',
    ]);

    const again = (writeSecret: boolean) =>
      registerMlflowWebhook({
        client: mlflow,
        name: WEBHOOK_NAME,
        url: webhookUrl,
        secret: SECRET,
        writeSecret,
      });
    expect(await again(false)).toEqual({
      webhookId: webhook.webhook_id,
      action: 'kept',
    });
    await mlflow.updateWebhook(webhook.webhook_id, { status: 'DISABLED' });
    expect(await again(false)).toEqual({
      webhookId: webhook.webhook_id,
      action: 'updated',
    });
    expect(await again(true)).toMatchObject({ action: 'updated' });
    expect(await ours()).toEqual([
      expect.objectContaining({
        webhook_id: webhook.webhook_id,
        status: 'ACTIVE',
      }),
    ]);
  });

  it("accepts MLflow's own test delivery, signed with the secret MLflow stored", async () => {
    const [webhook] = await eventually('the webhook registration', async () =>
      (await ours()).length > 0 ? ours() : undefined,
    );
    const { result } = await mlflowApi(
      'POST',
      `webhooks/${webhook.webhook_id}/test`,
      { event: { entity: 'MODEL_VERSION', action: 'CREATED' } },
    );
    expect(result).toMatchObject({ success: true, response_status: 202 });
    expect(JSON.parse(result.response_body)).toMatchObject({
      event: 'model_version.created',
      refresh: true,
    });
  });

  it('shows a version and an alias set in MLflow without /refresh and before the schedule', async () => {
    await eventually('the webhook registration', async () =>
      (await ours()).length > 0 ? true : undefined,
    );
    const get = (path: string) =>
      request(server).get(`/api/ml-platform/models/${path}`);
    expect((await get(MODEL)).status).toBe(404);

    // A version of a new model from a logged model the seed made, as the
    // seed's own versions are (MLflow 3: source models:/<model id>).
    const { body: fraud } = await get('fraud-detector');
    const source: string = fraud.versions[0].source;
    const started = Date.now();
    await mlflowApi('POST', 'registered-models/create', { name: MODEL });
    await mlflowApi('POST', 'model-versions/create', {
      name: MODEL,
      source,
      model_id: source.replace(/^models:\//, ''),
    });

    const shown = await eventually(
      'the new version in the catalog',
      async () => {
        const res = await get(MODEL);
        return res.status === 200 && res.body.versions.length === 1
          ? res.body
          : undefined;
      },
    );
    // Batched for half a second, then one read of the registry.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(shown.versions[0]).toMatchObject({ version: '1', registryId: 'it' });

    await mlflowApi('POST', 'registered-models/alias', {
      name: MODEL,
      alias: 'champion',
      version: '1',
    });
    await eventually('the alias in the catalog', async () => {
      const res = await get(MODEL);
      return res.body.model?.aliases?.champion === '1' ? true : undefined;
    });

    const ourEvents = deliveries.filter(d => d.event !== undefined);
    expect(ourEvents).toEqual(
      expect.arrayContaining([
        {
          event: 'model_version.created',
          signature: expect.stringMatching(/^v1,/),
          status: 202,
        },
        {
          event: 'model_version_alias.created',
          signature: expect.stringMatching(/^v1,/),
          status: 202,
        },
      ]),
    );
    // Every delivery MLflow made was accepted.
    expect(deliveries.filter(d => d.status !== 202)).toEqual([]);
  });
});
