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
  const ARTIFACTS = `${BASE}/api/2.0/mlflow-artifacts/artifacts`;
  const ROOT = '1/models/m-1/artifacts';
  const ONNX = Uint8Array.from([
    0x08, 0x08, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74,
  ]);
  const PICKLE = Buffer.from('cposix\nsystem\n(Vecho\ntR.', 'latin1');

  function serve(files: () => Record<string, Uint8Array | string>) {
    let listings = 0;
    server.use(
      http.get(`${BASE}/api/2.0/mlflow/registered-models/search`, () =>
        HttpResponse.json({ registered_models: [{ name: 'm' }] }),
      ),
      http.get(SEARCH_VERSIONS, () =>
        HttpResponse.json({ model_versions: [version('m', '1')] }),
      ),
      http.get(`${BASE}/api/2.0/mlflow/model-versions/get-download-uri`, () =>
        HttpResponse.json({ artifact_uri: `mlflow-artifacts:/${ROOT}` }),
      ),
      http.get(ARTIFACTS, () => {
        listings += 1;
        if (listings === 1) {
          return HttpResponse.text('upstream timeout', { status: 502 });
        }
        return HttpResponse.json({
          files: Object.entries(files()).map(([path, data]) => ({
            path,
            is_dir: false,
            file_size: data.length,
          })),
        });
      }),
      http.get(`${ARTIFACTS}/*`, ({ request }) => {
        const path = decodeURIComponent(
          new URL(request.url).pathname.split(`${ROOT}/`)[1],
        );
        const data = files()[path];
        return data === undefined
          ? HttpResponse.text('no such file', { status: 404 })
          : new HttpResponse(data);
      }),
    );
  }

  it('reports a failed read as safetyError, judges the files on the next listing, and keeps the verdict', async () => {
    serve(() => ({
      MLmodel:
        'flavors:\n  onnx:\n    data: model.onnx\n  python_function: {}\n',
      'model.onnx': ONNX,
    }));
    const registry = new MlflowModelRegistry({ id: 'r', baseUrl: BASE });

    const [failed] = await registry.listVersions();
    expect(failed.safety).toBeUndefined();
    expect(failed.safetyError).toBe(
      "Could not read the version's files: MLflow GET /api/2.0/mlflow-artifacts/artifacts answered 502 Bad Gateway: upstream timeout",
    );

    const [retried] = await registry.listVersions();
    expect(retried.safetyError).toBeUndefined();
    expect(retried.safety).toMatchObject({
      safety: 'safe',
      source: 'bytes',
      files: expect.arrayContaining([
        expect.objectContaining({ path: 'model.onnx', format: 'onnx' }),
      ]),
    });

    await registry.listVersions();
    expect(registry.client.requestCounts).toMatchObject({
      '/api/2.0/mlflow-artifacts/artifacts': 2,
      '/api/2.0/mlflow-artifacts/artifacts/*': 2,
    });
  });

  it('judges a version again when its listing changes at a re-check', async () => {
    let files: Record<string, Uint8Array | string> = {
      MLmodel: 'flavors:\n  onnx:\n    data: model.onnx\n',
      'model.onnx': ONNX,
    };
    serve(() => files);
    const registry = new MlflowModelRegistry({
      id: 'r',
      baseUrl: BASE,
      recheckIntervalMs: 0,
    });
    await registry.listVersions(); // the failed listing
    expect((await registry.listVersions())[0].safety?.safety).toBe('safe');

    // Someone with write access to the artifact store adds a pickle.
    files = { ...files, 'extra.bin': PICKLE };
    const [changed] = await registry.listVersions();
    expect(changed.safety).toMatchObject({ safety: 'unsafe' });
    expect(changed.safety?.files[0]).toMatchObject({
      path: 'extra.bin',
      imports: [{ module: 'posix', name: 'system', risk: 'dangerous' }],
    });
  });
});
