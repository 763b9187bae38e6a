import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { MlPlatformClient } from './MlPlatformClient';
import { RolloutConflictError } from './RolloutConflictError';

const base = 'http://backstage.test/api/ml-platform';

describe('MlPlatformClient rollouts', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const client = new MlPlatformClient({
    discoveryApi: {
      getBaseUrl: async (pluginId: string) =>
        `http://backstage.test/api/${pluginId}`,
    },
    fetchApi: { fetch: (...args) => fetch(...args) },
  });
  const request = {
    model: 'fraud-detector',
    cluster: 'local',
    namespace: 'ml-prod',
    strategy: 'canary' as const,
    target: { version: '6', percent: 20 },
    expectedResourceVersion: '812',
  };

  it('posts the rollout request as JSON and returns the result', async () => {
    const result = {
      auditId: 'a1',
      router: { apiVersion: 'v1', kind: 'HTTPRoute', name: 'fraud-detector' },
      before: { versions: [] },
      after: { versions: [] },
      resourceVersion: '813',
    };
    let sent: unknown;
    server.use(
      http.post(`${base}/rollouts`, async ({ request: req }) => {
        sent = await req.json();
        return HttpResponse.json(result);
      }),
    );
    await expect(client.startRollout(request)).resolves.toEqual(result);
    expect(sent).toEqual(request);
  });

  it('turns a 409 into a RolloutConflictError with the fresh split and resourceVersion', async () => {
    const current = {
      versions: [
        { version: '5', weight: 70, percent: 70 },
        { version: '6', weight: 30, percent: 30 },
      ],
    };
    server.use(
      http.post(`${base}/rollouts`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'HTTPRoute changed' },
            current,
            resourceVersion: '900',
          },
          { status: 409 },
        ),
      ),
    );
    const error = await client.startRollout(request).catch(e => e);
    expect(error).toBeInstanceOf(RolloutConflictError);
    expect(error.message).toBe('HTTPRoute changed');
    expect(error.current).toEqual(current);
    expect(error.resourceVersion).toBe('900');
  });

  it('keeps the server message of a 400', async () => {
    server.use(
      http.post(`${base}/rollouts`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message: 'weights.9: unknown version',
            },
            request: { method: 'POST', url: '/api/ml-platform/rollouts' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    const error = await client.startRollout(request).catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.message).toBe('weights.9: unknown version');
  });

  it('reads history pages with the filters the backend takes', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${base}/models/fraud-detector/rollouts`, ({ request: req }) => {
        url = new URL(req.url);
        return HttpResponse.json({ items: [] });
      }),
    );
    await client.listRolloutHistory('fraud-detector', {
      registryId: 'mlflow',
      cluster: 'local',
      limit: 10,
      before: 'cursor-1',
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      registry: 'mlflow',
      cluster: 'local',
      limit: '10',
      before: 'cursor-1',
    });
  });

  it('starts, reads, lists, pauses, resumes and aborts gradual rollouts', async () => {
    const calls: string[] = [];
    const rollout = { id: 'g 1', state: 'running' };
    server.use(
      http.all(`${base}/*`, ({ request: req }) => {
        const url = new URL(req.url);
        calls.push(`${req.method} ${url.pathname}${url.search}`);
        return HttpResponse.json(
          url.pathname.endsWith('/gradual') && req.method === 'GET'
            ? { items: [rollout] }
            : rollout,
        );
      }),
    );
    await client.startGradualRollout({
      model: 'fraud-detector',
      cluster: 'local',
      namespace: 'ml-prod',
      target: { version: '6' },
      steps: [{ percent: 100, waitSeconds: 0 }],
    });
    await client.getGradualRollout('g 1');
    await expect(
      client.listGradualRollouts('fraud-detector', {
        cluster: 'local',
        namespace: 'ml-prod',
      }),
    ).resolves.toEqual({ items: [rollout] });
    await client.pauseGradualRollout('g 1');
    await client.resumeGradualRollout('g 1');
    await client.abortGradualRollout('g 1');
    expect(calls).toEqual([
      'POST /api/ml-platform/rollouts/gradual',
      'GET /api/ml-platform/rollouts/gradual/g%201',
      'GET /api/ml-platform/models/fraud-detector/rollouts/gradual?cluster=local&namespace=ml-prod',
      'POST /api/ml-platform/rollouts/gradual/g%201/pause',
      'POST /api/ml-platform/rollouts/gradual/g%201/resume',
      'POST /api/ml-platform/rollouts/gradual/g%201/abort',
    ]);
  });
});
