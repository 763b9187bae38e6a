import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { MlPlatformClient } from './MlPlatformClient';

describe('MlPlatformClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const client = new MlPlatformClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage.test' }),
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
});
