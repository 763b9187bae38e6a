import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MlflowClient } from './MlflowClient';
import { MlflowModelRegistry } from './MlflowModelRegistry';

// Edge cases the seeded real server does not produce; the rest is covered by
// MlflowModelRegistry.integration.test.ts against it.
const BASE = 'http://mlflow.test';
const SEARCH_VERSIONS = `${BASE}/api/2.0/mlflow/model-versions/search`;

const version = (name: string, v: string) => ({
  name,
  version: v,
  status: 'READY',
});

describe('MlflowClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('follows page tokens across three pages and asks for the largest page', async () => {
    const seen: Array<{ maxResults: string | null; token: string | null }> = [];
    const pages: Record<string, { items: string[]; next?: string }> = {
      '': { items: ['1', '2'], next: 'p2' },
      p2: { items: ['3', '4'], next: 'p3' },
      p3: { items: ['5'] },
    };
    server.use(
      http.get(SEARCH_VERSIONS, ({ request }) => {
        const url = new URL(request.url);
        const token = url.searchParams.get('page_token');
        seen.push({ maxResults: url.searchParams.get('max_results'), token });
        const page = pages[token ?? ''];
        return HttpResponse.json({
          model_versions: page.items.map(v => version('m', v)),
          ...(page.next ? { next_page_token: page.next } : {}),
        });
      }),
    );

    const client = new MlflowClient({ baseUrl: `${BASE}/` });
    const versions = await client.searchModelVersions();

    expect(versions.map(v => v.version)).toEqual(['1', '2', '3', '4', '5']);
    expect(seen).toEqual([
      { maxResults: '200000', token: null },
      { maxResults: '200000', token: 'p2' },
      { maxResults: '200000', token: 'p3' },
    ]);
    expect(client.requestCount).toBe(3);
  });

  it("turns a 500 into an error naming the path and MLflow's error, not the credentials", async () => {
    server.use(
      http.get(SEARCH_VERSIONS, () =>
        HttpResponse.json(
          {
            error_code: 'INTERNAL_ERROR',
            message: 'database is locked',
          },
          { status: 500 },
        ),
      ),
    );
    const client = new MlflowClient({
      baseUrl: BASE,
      auth: { token: 'secret-token-123' },
    });

    const error = await client.searchModelVersions().catch((e: Error) => e);
    expect(error).toMatchObject({
      name: 'MlflowRequestError',
      status: 500,
      errorCode: 'INTERNAL_ERROR',
      message:
        'MLflow GET /api/2.0/mlflow/model-versions/search answered 500 Internal Server Error: INTERNAL_ERROR: database is locked',
    });
    expect(String(error)).not.toContain('secret-token-123');
  });

  it('sends the bearer token and does not follow a redirect to another host', async () => {
    const authorizations: Array<string | null> = [];
    server.use(
      http.get(SEARCH_VERSIONS, ({ request }) => {
        authorizations.push(request.headers.get('authorization'));
        return new HttpResponse(null, {
          status: 302,
          headers: { Location: 'http://elsewhere.test/steal' },
        });
      }),
      http.get('http://elsewhere.test/*', () => {
        throw new Error('another host was contacted');
      }),
    );
    const client = new MlflowClient({ baseUrl: BASE, auth: { token: 't0k' } });

    await expect(client.searchModelVersions()).rejects.toMatchObject({
      status: 302,
    });
    expect(authorizations).toEqual(['Bearer t0k']);
  });
});

describe('MlflowModelRegistry safety cache', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('reports a failed MLmodel read as safetyError and retries it on the next listing', async () => {
    let artifactAnswers = [
      () => HttpResponse.text('upstream timeout', { status: 502 }),
      () =>
        HttpResponse.text(
          'flavors:\n  onnx:\n    data: model.onnx\n  python_function: {}\n',
        ),
    ];
    server.use(
      http.get(`${BASE}/api/2.0/mlflow/registered-models/search`, () =>
        HttpResponse.json({ registered_models: [{ name: 'm' }] }),
      ),
      http.get(SEARCH_VERSIONS, () =>
        HttpResponse.json({ model_versions: [version('m', '1')] }),
      ),
      http.get(`${BASE}/model-versions/get-artifact`, () => {
        const [answer, ...rest] = artifactAnswers;
        artifactAnswers = rest.length > 0 ? rest : [answer];
        return answer();
      }),
    );
    const registry = new MlflowModelRegistry({ id: 'r', baseUrl: BASE });

    const [failed] = await registry.listVersions();
    expect(failed.safety).toBeUndefined();
    expect(failed.safetyError).toBe(
      'Could not read the MLmodel file: MLflow GET /model-versions/get-artifact answered 502 Bad Gateway: upstream timeout',
    );

    const [retried] = await registry.listVersions();
    expect(retried.safetyError).toBeUndefined();
    expect(retried.safety?.safety).toBe('safe');

    await registry.listVersions();
    expect(registry.client.requestCounts['/model-versions/get-artifact']).toBe(
      2,
    );
  });
});
