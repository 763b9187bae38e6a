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

function toolService(
  name: string,
  url?: string,
  { type = name, namespace = 'ml-tools' } = {},
): V1Service {
  return {
    metadata: {
      name,
      namespace,
      labels: { 'ml-platform.io/tool': type },
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
          // The config names lakeFS, so its failures say why.
          lakefs: {
            baseUrl: 'https://lakefs.example.com',
            accessKeyId: 'a',
            secretAccessKey: 's',
          },
          toolDiscovery: { namespaces: ['ml-tools'], hosts: ['*.example.com'] },
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
    // The redirect is not followed to another host, and at a host only
    // discovery allows, the page does not say what answered.
    expect(byName.zenml).toMatchObject({
      healthy: false,
      error: 'health check failed; the reason is in the backend log',
    });
    expect(byName.nourl).toMatchObject({
      healthy: undefined,
      error: expect.stringContaining('no public URL'),
    });
    expect(byName.nourl.url).toBeUndefined();
  });

  it('probes only allowed namespaces and hosts, a few at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const requested: string[] = [];
    server.use(
      http.get('https://*.example.com/health', async ({ request }) => {
        requested.push(new URL(request.url).host);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise(resolve => setTimeout(resolve, 30));
        inFlight -= 1;
        return HttpResponse.text('OK');
      }),
    );
    const allowed = Array.from({ length: 10 }, (_, i) =>
      toolService(`m${i}`, `https://m${i}.example.com`, { type: 'mlflow' }),
    );
    const tools = createToolsService({
      config: new ConfigReader({
        mlPlatform: {
          toolDiscovery: { namespaces: ['ml-tools'], hosts: ['*.example.com'] },
        },
      }),
      logger: mockServices.logger.mock(),
      deployments: fakeDeployments([
        ...allowed,
        toolService('elsewhere', 'https://x.example.com', {
          type: 'mlflow',
          namespace: 'team-a',
        }),
        toolService('internal', 'http://10.0.0.1:6379', { type: 'mlflow' }),
      ]),
    });
    await tools.probe();
    expect(requested.sort()).toEqual(
      allowed.map((_, i) => `m${i}.example.com`).sort(),
    );
    expect(most).toBe(4);
    const listed = tools.listTools().tools;
    expect(listed.map(t => t.name)).not.toContain('elsewhere');
    expect(listed.find(t => t.name === 'internal')).toMatchObject({
      healthy: undefined,
      error:
        'not probed: 10.0.0.1:6379 is not a host of mlPlatform.toolDiscovery.hosts',
    });
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
