import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MlPlatformClient } from './MlPlatformClient';

describe('MlPlatformClient', () => {
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
  const empty = { items: [], totalCount: 0, registries: [], clusters: [] };

  it('sends the filters and page as the query the backend validates, leaving out unset ones', async () => {
    const urls: URL[] = [];
    server.use(
      http.get(
        'http://backstage.test/api/ml-platform/models',
        ({ request }) => {
          urls.push(new URL(request.url));
          return HttpResponse.json(empty);
        },
      ),
    );

    await client.listModels();
    await client.listModels({
      search: 'fraud detector',
      owner: 'fraud-ml',
      alias: undefined,
      cluster: '',
      safety: 'unsafe',
      deployed: false,
      offset: 50,
      limit: 25,
    });

    expect(urls[0].search).toBe('');
    expect(Object.fromEntries(urls[1].searchParams)).toEqual({
      search: 'fraud detector',
      owner: 'fraud-ml',
      safety: 'unsafe',
      deployed: 'false',
      offset: '50',
      limit: '25',
    });
  });

  it('reads the tools', async () => {
    const tools = {
      tools: [{ name: 'mlflow', type: 'mlflow', healthy: true }],
      clusters: [],
    };
    server.use(
      http.get('http://backstage.test/api/ml-platform/tools', () =>
        HttpResponse.json(tools),
      ),
    );
    await expect(client.getTools()).resolves.toEqual(tools);
  });

  it('rejects with the backend error', async () => {
    server.use(
      http.get('http://backstage.test/api/ml-platform/models', () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: 'Invalid query: limit' },
            request: { method: 'GET', url: '/api/ml-platform/models' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await expect(client.listModels({ limit: 5000 })).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      cause: { name: 'InputError', message: 'Invalid query: limit' },
    });
  });

  it("sends a backend caller's token and resolves undefined for a model no registry has", async () => {
    const authorizations: Array<string | null> = [];
    server.use(
      http.get(
        'http://backstage.test/api/ml-platform/models/:name',
        ({ request }) => {
          authorizations.push(request.headers.get('authorization'));
          return HttpResponse.json(
            {
              error: { name: 'NotFoundError', message: 'Model x not found' },
              request: { method: 'GET', url: '/api/ml-platform/models/x' },
              response: { statusCode: 404 },
            },
            { status: 404 },
          );
        },
      ),
    );
    await expect(
      client.getModel('x', 'eu', { token: 'plugin-token' }),
    ).resolves.toBeUndefined();
    expect(authorizations).toEqual(['Bearer plugin-token']);
  });

  it('cancels a listing when its signal aborts', async () => {
    server.use(
      http.get('http://backstage.test/api/ml-platform/models', async () => {
        await new Promise(resolve => setTimeout(resolve, 5_000));
        return HttpResponse.json(empty);
      }),
    );
    const controller = new AbortController();
    const listing = client.listModels({}, { signal: controller.signal });
    controller.abort();
    await expect(listing).rejects.toMatchObject({ name: 'AbortError' });
  });
});
