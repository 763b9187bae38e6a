import {
  registerMswTestHooks,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { V1Service } from '@kubernetes/client-node';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createToolsService } from './createToolsService';

const server = setupServer();
registerMswTestHooks(server);

/** Stands in for the deployments cache: one cluster whose tool Services the test sets. */
function fakeDeployments(services: V1Service[]) {
  return {
    listObjects: jest.fn(() => [{ cluster: 'local', objects: services }]),
    listDeployments: jest.fn(() => ({
      deployments: [],
      clusters: [{ name: 'local', ok: true }],
    })),
  } as any;
}

function toolService(name: string, url?: string): V1Service {
  return {
    metadata: {
      name,
      namespace: 'ml-tools',
      labels: { 'ml-platform.io/tool': name },
      annotations: url ? { 'ml-platform.io/dashboard-url': url } : undefined,
    },
  };
}

describe('createToolsService', () => {
  it('reports nothing about health before the first probe, then each result', async () => {
    const requested: string[] = [];
    server.use(
      http.get('https://mlflow.example.com/health', ({ request }) => {
        requested.push(request.url);
        return HttpResponse.text('OK');
      }),
      http.get('https://lakefs.example.com/api/v1/healthcheck', () =>
        HttpResponse.json({ message: 'down' }, { status: 503 }),
      ),
      http.get('https://zenml.example.com/health', () =>
        HttpResponse.json(null, {
          status: 302,
          headers: { location: 'https://login.example.com/' },
        }),
      ),
    );
    const deployments = fakeDeployments([
      toolService('mlflow', 'https://mlflow.example.com'),
      toolService('lakefs', 'https://lakefs.example.com'),
      toolService('zenml', 'https://zenml.example.com'),
      toolService('nourl'),
    ]);
    const tools = createToolsService({
      config: new ConfigReader({
        mlPlatform: {
          tools: [
            // Shares the endpoint of the cluster's MLflow: probed once.
            {
              name: 'shared',
              type: 'mlflow',
              url: 'https://mlflow.example.com',
            },
          ],
        },
      }),
      logger: mockServices.logger.mock(),
      deployments,
    });

    const before = tools.listTools();
    expect(before.clusters).toEqual([{ name: 'local', ok: true }]);
    expect(before.tools.map(t => [t.name, t.healthy])).toEqual([
      ['shared', undefined],
      ['lakefs', undefined],
      ['mlflow', undefined],
      ['nourl', undefined],
      ['zenml', undefined],
    ]);
    expect(requested).toEqual([]);

    await tools.probe();
    const byName = Object.fromEntries(
      tools.listTools().tools.map(t => [t.name, t]),
    );
    expect(requested).toEqual(['https://mlflow.example.com/health']);
    expect(byName.mlflow).toEqual({
      name: 'mlflow',
      type: 'mlflow',
      cluster: 'local',
      namespace: 'ml-tools',
      url: 'https://mlflow.example.com',
      healthy: true,
      checkedAt: expect.any(String),
    });
    expect(byName.shared.healthy).toBe(true);
    expect(byName.lakefs).toMatchObject({
      healthy: false,
      error:
        'https://lakefs.example.com/api/v1/healthcheck: HTTP 503 Service Unavailable',
    });
    // The redirect is reported, not followed to another host.
    expect(byName.zenml).toMatchObject({
      healthy: false,
      error: expect.stringContaining(
        'redirected (HTTP 302) to https://login.example.com/',
      ),
    });
    expect(byName.nourl).toMatchObject({
      healthy: undefined,
      error: expect.stringContaining('no public URL'),
    });
    expect(byName.nourl.url).toBeUndefined();
  });

  it('names a timeout', async () => {
    server.use(
      http.get('https://slow.example.com/health', async () => {
        await new Promise(resolve => setTimeout(resolve, 500));
        return HttpResponse.text('OK');
      }),
    );
    const tools = createToolsService({
      config: new ConfigReader({
        mlPlatform: {
          tools: [
            { name: 'slow', type: 'zenml', url: 'https://slow.example.com' },
          ],
        },
      }),
      logger: mockServices.logger.mock(),
      deployments: fakeDeployments([]),
      options: { probeTimeoutMs: 50 },
    });
    await tools.probe();
    expect(tools.listTools().tools[0]).toMatchObject({
      healthy: false,
      error: 'https://slow.example.com/health: no answer within 50 ms',
    });
  });
});
