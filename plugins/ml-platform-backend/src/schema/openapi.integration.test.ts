import fs from 'node:fs';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ModelDetailsResponse,
  ModelListResponse,
  ToolsResponse,
} from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import { localClusterConfig, readPlatformFile } from 'platform-tests';
import { mlPlatformPlugin } from '../plugin';
import { loadOpenApiChecker } from './__testUtils__/openApiChecker';

/*
 * The answers built from the real local platform (MLflow, ZenML, lakeFS and
 * the kube-apiserver with its HTTPRoutes, Rollout and InferenceService) match
 * openapi.yaml: deployments, traffic routers, lineage and tools included,
 * which openapi.test.ts cannot produce without clusters.
 */

type Server = { url: string; username: string; password: string };

const DEMO_MODELS: string[] = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../scripts/platform/demo-platform.json'),
    'utf8',
  ),
).models.map((m: { name: string }) => m.name);

const mlflow = readPlatformFile<Server & { uiUrl: string }>('mlflow');
const zenml = readPlatformFile<Server & { dashboardUrl: string }>('zenml');
const lakefs = readPlatformFile<{
  url: string;
  uiUrl: string;
  accessKeyId: string;
  secretAccessKey: string;
}>('lakefs');

const platformConfig = mockServices.rootConfig.factory({
  data: {
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'config', clusters: [localClusterConfig()] },
      ],
    },
    mlPlatform: {
      registries: {
        mlflow: [
          {
            id: 'mlflow',
            baseUrl: mlflow.url,
            uiUrl: mlflow.uiUrl,
            auth: { username: mlflow.username, password: mlflow.password },
          },
        ],
      },
      zenml: {
        baseUrl: zenml.url,
        dashboardUrl: zenml.dashboardUrl,
        username: zenml.username,
        password: zenml.password,
      },
      lakefs: {
        baseUrl: lakefs.url,
        uiUrl: lakefs.uiUrl,
        accessKeyId: lakefs.accessKeyId,
        secretAccessKey: lakefs.secretAccessKey,
      },
      // The seed's tool Services, at the hosts configured above.
      toolDiscovery: { namespaces: ['ml-tools'] },
    },
  },
});

describe('openapi.yaml against the real platform', () => {
  it('describes the listings, every seeded model and the tools', async () => {
    const checker = await loadOpenApiChecker();
    const { server } = await startTestBackend({
      features: [mlPlatformPlugin, platformConfig],
    });
    const get = async (url: string) =>
      checker.check(await request(server).get(`/api/ml-platform${url}`));

    const list = await get('/models?limit=500');
    expect(list.status).toBe(200);
    const { items, registries, clusters } = list.body as ModelListResponse;
    expect(registries).toEqual([
      expect.objectContaining({ id: 'mlflow', ok: true }),
    ]);
    expect(clusters).toEqual([
      expect.objectContaining({ name: 'local', ok: true }),
    ]);
    expect(items.length).toBeGreaterThanOrEqual(DEMO_MODELS.length);

    // Only the demo's models: other suites and the benchmark may add many.
    const routers = new Set<string>();
    let withLineage = 0;
    for (const name of DEMO_MODELS) {
      const res = await get(
        `/models/${encodeURIComponent(name)}?registry=mlflow`,
      );
      expect(res.status).toBe(200);
      const details = res.body as ModelDetailsResponse;
      details.deployments.forEach(d => d.router && routers.add(d.router.kind));
      withLineage += details.versions.filter(
        v => v.lineage?.pipelineRun && v.lineage?.dataCommit,
      ).length;
    }
    // Each kind of traffic router the seed makes went through the spec.
    expect([...routers].sort()).toEqual([
      'HTTPRoute',
      'InferenceService',
      'Rollout',
    ]);
    expect(withLineage).toBeGreaterThan(0);

    const tools = await get('/tools');
    expect(tools.status).toBe(200);
    expect((tools.body as ToolsResponse).tools.map(t => t.type).sort()).toEqual(
      expect.arrayContaining(['lakefs', 'mlflow', 'zenml']),
    );
    // A first read of MLflow, ZenML and lakeFS on a busy 2-core machine.
  }, 120_000);
});
