import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { MlTool } from '@mlplatform/plugin-ml-platform-common';
import {
  createModelDeploymentsService,
  type ModelDeploymentsService,
} from '../ModelDeployments';
import { createToolsService } from './createToolsService';
import type { ToolsService } from './types';
import {
  kubeRequest,
  localClusterConfig,
  readPlatformFile,
} from 'platform-tests';
import { waitFor } from '../../__testUtils__/waitFor';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';

/** The real servers the seed's tool Services point at. */
const SERVERS = Object.fromEntries(
  ['mlflow', 'zenml', 'lakefs'].map(name => [
    name,
    readPlatformFile<{ url: string }>(name).url,
  ]),
);

/** A namespace of this test's own, for a tool Service it creates and deletes. */
const NAMESPACE = `test-tools-${randomUUID().slice(0, 8)}`;
/** One whose tool Services discovery does not read. */
const ELSEWHERE = `${NAMESPACE}-elsewhere`;

const call = async (method: string, urlPath: string, body?: unknown) =>
  (await kubeRequest(method, urlPath, body)).status;

describe('ML tools against the local kube-apiserver and the real servers', () => {
  let deployments: ModelDeploymentsService;
  let tools: ToolsService;

  const seeded = (): MlTool[] =>
    tools
      .listTools()
      .tools.filter(t => t.cluster === 'local' && t.namespace === 'ml-tools');

  beforeAll(async () => {
    for (const name of [NAMESPACE, ELSEWHERE]) {
      const created = await call('POST', '/api/v1/namespaces', {
        metadata: { name },
      });
      if (created !== 201) {
        throw new Error(`creating namespace ${name} answered ${created}`);
      }
    }
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [localClusterConfig()],
          },
        ],
      },
      mlPlatform: {
        tools: [
          { name: 'closed-port', type: 'mlflow', url: 'http://127.0.0.1:1' },
        ],
        toolDiscovery: {
          namespaces: ['ml-tools', NAMESPACE],
          hosts: Object.values(SERVERS).map(url => new URL(url).host),
        },
      },
    });
    const logger = mockServices.logger.mock();
    deployments = createModelDeploymentsService({
      clusters: createKubernetesClusters({ config, logger }),
      kinds: BUILT_IN_TRAFFIC_KINDS,
      logger,
    });
    await deployments.start();
    tools = createToolsService({ config, logger, deployments });
  });

  afterAll(async () => {
    await deployments?.stop();
    // The namespace controller deletes what the test left in it.
    for (const name of [NAMESPACE, ELSEWHERE]) {
      await call('DELETE', `/api/v1/namespaces/${name}`);
    }
  });

  it('finds the three seeded tools in ml-tools with their dashboard URLs', () => {
    expect(
      seeded().map(({ name, type, url }) => ({ name, type, url })),
    ).toEqual([
      { name: 'lakefs', type: 'lakefs', url: SERVERS.lakefs },
      { name: 'mlflow', type: 'mlflow', url: SERVERS.mlflow },
      { name: 'zenml', type: 'zenml', url: SERVERS.zenml },
    ]);
    expect(tools.listTools().clusters).toEqual([
      expect.objectContaining({ name: 'local', ok: true }),
    ]);
    // Not probed yet: health unknown.
    expect(seeded().every(t => t.healthy === undefined)).toBe(true);
  });

  it('probes the real MLflow, ZenML and lakeFS healthy, and names why a closed port is not', async () => {
    const started = Date.now();
    await tools.probe();
    // eslint-disable-next-line no-console
    console.log(`probe of 4 tools: ${Date.now() - started} ms`);

    for (const tool of seeded()) {
      expect({
        name: tool.name,
        healthy: tool.healthy,
        error: tool.error,
      }).toEqual({ name: tool.name, healthy: true, error: undefined });
      expect(Date.parse(tool.checkedAt!)).toBeGreaterThanOrEqual(
        started - 1000,
      );
    }
    const closed = tools.listTools().tools.find(t => t.name === 'closed-port');
    expect(closed).toMatchObject({
      type: 'mlflow',
      url: 'http://127.0.0.1:1',
      healthy: false,
      error: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:1\/health: .*ECONNREFUSED/,
      ),
    });
    expect(closed?.cluster).toBeUndefined();
  });

  it('answers listTools() from memory: no request to the apiserver or any tool', async () => {
    const request = jest.spyOn(https, 'request');
    const httpRequest = jest.spyOn(http, 'request');
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      // The spies see what probing sends, or counting zero below would prove nothing.
      await tools.probe();
      expect(httpRequest).toHaveBeenCalledTimes(4);
      request.mockClear();
      httpRequest.mockClear();

      const started = process.hrtime.bigint();
      for (let i = 0; i < 100; i++) {
        tools.listTools();
      }
      const perRead = Number(process.hrtime.bigint() - started) / 100 / 1e6;
      expect(request).not.toHaveBeenCalled();
      expect(httpRequest).not.toHaveBeenCalled();
      expect(fetchSpy).not.toHaveBeenCalled();
      // eslint-disable-next-line no-console
      console.log(`listTools(): 0 requests, ${perRead.toFixed(3)} ms per read`);
    } finally {
      request.mockRestore();
      httpRequest.mockRestore();
      fetchSpy.mockRestore();
    }
  });

  it('sees a tool Service created later through the watch, and says it has no URL', async () => {
    expect(
      await call('POST', `/api/v1/namespaces/${NAMESPACE}/services`, {
        metadata: {
          name: 'studio',
          labels: { 'ml-platform.io/tool': 'label-studio' },
        },
        spec: { ports: [{ port: 8080 }] },
      }),
    ).toBe(201);
    const studio = await waitFor(
      () => tools.listTools().tools.find(t => t.namespace === NAMESPACE),
      5000,
    );
    expect(studio).toEqual({
      name: 'studio',
      type: 'label-studio',
      cluster: 'local',
      namespace: NAMESPACE,
      healthy: undefined,
      error: `no public URL: Service ${NAMESPACE}/studio in cluster 'local' has no ml-platform.io/dashboard-url annotation`,
    });
  });

  it('never requests a URL of a tool Service outside the allowed namespaces and hosts', async () => {
    // What the probe would reach if it followed any Service's annotation.
    const hits: string[] = [];
    const canary = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('OK');
    });
    await new Promise<void>(r => canary.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(canary.address() as any).port}`;
    try {
      for (const [namespace, name] of [
        [ELSEWHERE, 'scanner'],
        [NAMESPACE, 'internal'],
      ]) {
        expect(
          await call('POST', `/api/v1/namespaces/${namespace}/services`, {
            metadata: {
              name,
              labels: { 'ml-platform.io/tool': 'mlflow' },
              annotations: { 'ml-platform.io/dashboard-url': url },
            },
            spec: { ports: [{ port: 8080 }] },
          }),
        ).toBe(201);
      }
      const internal = await waitFor(
        () => tools.listTools().tools.find(t => t.name === 'internal'),
        5000,
      );
      await tools.probe();
      expect(hits).toEqual([]);
      expect(internal).toMatchObject({
        namespace: NAMESPACE,
        url,
        healthy: undefined,
        error: `not probed: ${
          new URL(url).host
        } is not a host of mlPlatform.toolDiscovery.hosts`,
      });
      expect(
        tools.listTools().tools.filter(t => t.namespace === ELSEWHERE),
      ).toEqual([]);
    } finally {
      await new Promise(r => canary.close(r));
    }
  });
});
