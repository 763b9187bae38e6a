import { randomUUID } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';
import {
  MODEL_DEPLOYMENTS,
  MODEL_REPLICA_SETS,
  MODEL_SERVICES,
  createKubernetesClusters,
} from '@mlplatform/plugin-ml-platform-node';
import { createModelDeploymentsService } from './createModelDeploymentsService';
import type { ModelDeploymentsService } from './types';
import {
  kubeRequest,
  localClusterConfig,
  readPlatformFile,
  type LocalKube,
} from 'platform-tests';
import { waitFor } from '../../__testUtils__/waitFor';
import { BUILT_IN_TRAFFIC_KINDS } from '../../kinds';
import { HTTP_ROUTES } from '../../kinds/httproute';

/** The seeded fraud-scorer route: only ever read here, never changed. */
const SEEDED_ROUTE =
  '/apis/gateway.networking.k8s.io/v1/namespaces/ml-prod/httproutes/fraud-scorer';

/**
 * What this test changes lives in a namespace of its own, under a model name of
 * its own, so no other test (in this or another Jest worker) sees its writes.
 */
const NAMESPACE = `test-deployments-${randomUUID().slice(0, 8)}`;
const MODEL = 'deployments-test-model';
const SERVICE = 'test-scorer';
const VERSIONS = [
  { version: '5', weight: 90 },
  { version: '6', weight: 10 },
];
const OWN_ROUTE = `/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes/${SERVICE}`;

const kube = readPlatformFile<LocalKube>('kube');

/** The module's client of the local cluster, as the admin. */
const localClient = () =>
  createKubernetesClusters({
    logger: mockServices.logger.mock(),
    config: new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'config', clusters: [localClusterConfig()] },
        ],
      },
    }),
  }).client('local');

/** JSON Patch unless told otherwise: most of this test's writes are patches. */
const call = (
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = 'application/json-patch+json',
) => kubeRequest(method, urlPath, body, contentType);

/** Sets the test's own route's weights by service name, guarded by its resourceVersion. */
async function setRouteWeights(weights: Record<string, number>) {
  const route = (await call('GET', OWN_ROUTE)).body;
  const refs: Array<{ name: string }> = route.spec.rules[0].backendRefs;
  const res = await call('PATCH', OWN_ROUTE, [
    {
      op: 'test',
      path: '/metadata/resourceVersion',
      value: route.metadata.resourceVersion,
    },
    ...refs.map((ref, j) => ({
      op: 'replace',
      path: `/spec/rules/0/backendRefs/${j}/weight`,
      value: weights[ref.name],
    })),
  ]);
  expect(res.status).toBe(200);
  return res.body;
}

/** Creates an object with POST to `collection` and expects 201. */
async function create(collection: string, object: unknown) {
  const res = await call('POST', collection, object, 'application/json');
  expect(res.status).toBe(201);
  return res.body;
}

/**
 * Creates the test's namespace with what the seed makes for an HTTPRoute
 * deployment (see scripts/platform/kube/demoObjects.mjs): per version a Deployment
 * and a Service with the model labels, and a route splitting 90/10 between
 * them. Returns once the Deployment controller reports every pod Ready (kwok
 * runs them on the local cluster's fake nodes).
 */
async function createOwnDeployment() {
  await create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE },
  });
  for (const { version } of VERSIONS) {
    const name = `${SERVICE}-v${version}`;
    const labels = {
      'app.kubernetes.io/name': SERVICE,
      'ml-platform.io/model': MODEL,
      'ml-platform.io/model-version': version,
    };
    const selector = {
      'app.kubernetes.io/name': SERVICE,
      'ml-platform.io/model-version': version,
    };
    await create(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NAMESPACE, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'model',
                image: `registry.example.com/models/${SERVICE}:${version}`,
                ports: [{ name: 'http', containerPort: 8080 }],
              },
            ],
          },
        },
      },
    });
    await create(`/api/v1/namespaces/${NAMESPACE}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: NAMESPACE, labels },
      spec: {
        selector,
        ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
      },
    });
  }
  await create(
    `/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: SERVICE,
        namespace: NAMESPACE,
        labels: {
          'app.kubernetes.io/name': SERVICE,
          'ml-platform.io/model': MODEL,
        },
      },
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'ml-gateway',
          },
        ],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: VERSIONS.map(({ version, weight }) => ({
              group: '',
              kind: 'Service',
              name: `${SERVICE}-v${version}`,
              port: 8080,
              weight,
            })),
          },
        ],
      },
    },
  );
  await allPodsReady();
}

/** Waits until both Deployments report 2 of 2 pods Ready and available. */
async function allPodsReady(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(
      VERSIONS.map(
        async ({ version }) =>
          (
            await call(
              'GET',
              `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}-v${version}`,
            )
          ).body.status,
      ),
    );
    if (
      statuses.every(s => s?.readyReplicas === 2 && s?.availableReplicas === 2)
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `pods not Ready within ${timeoutMs} ms: ${JSON.stringify(statuses)}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

/**
 * Deletes the test's objects one by one (so watchers see them go), then its
 * namespace, which the namespace controller then empties and removes.
 */
async function deleteOwnDeployment() {
  const paths = [
    OWN_ROUTE,
    ...VERSIONS.flatMap(({ version }) => [
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}-v${version}`,
      `/api/v1/namespaces/${NAMESPACE}/services/${SERVICE}-v${version}`,
    ]),
    `/api/v1/namespaces/${NAMESPACE}`,
  ];
  for (const p of paths) {
    const res = await call('DELETE', p);
    expect([200, 202, 404]).toContain(res.status);
  }
}

function find(
  deployments: ModelDeployment[],
  model: string,
  namespace: string,
  cluster = 'local',
) {
  const found = deployments.filter(
    d =>
      d.model === model && d.namespace === namespace && d.cluster === cluster,
  );
  expect(found).toHaveLength(1);
  return found[0];
}

function split(deployment: ModelDeployment) {
  return Object.fromEntries(
    deployment.versions.map(v => [v.version, v.percent]),
  );
}

function openSockets(): number {
  return process
    .getActiveResourcesInfo()
    .filter(r => r === 'TLSWrap' || r === 'TCPSocketWrap').length;
}

describe('model deployments cache against the local kube-apiserver', () => {
  let service: ModelDeploymentsService;
  let socketsBefore: number;
  const logger = mockServices.logger.mock();

  // Longer than Jest's default: it waits for the pods of the test's Deployments.
  beforeAll(async () => {
    await createOwnDeployment();
    socketsBefore = openSockets();
    service = createModelDeploymentsService({
      logger,
      kinds: BUILT_IN_TRAFFIC_KINDS,
      clusters: createKubernetesClusters({
        logger,
        config: new ConfigReader({
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  localClusterConfig(),
                  {
                    name: 'closed-port',
                    url: 'https://127.0.0.1:1',
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'unused',
                    skipTLSVerify: true,
                  },
                  {
                    name: 'eks',
                    url: 'https://eks.example.com',
                    authProvider: 'aws',
                  },
                  {
                    name: 'no-rbac',
                    url: kube.server,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: kube.restrictedToken,
                    caFile: kube.caFile,
                  },
                ],
              },
              { type: 'catalog' },
            ],
          },
        }),
      }),
      options: { initialBackoffMs: 200, maxBackoffMs: 1000 },
    });
    const started = Date.now();
    await service.start();
    // eslint-disable-next-line no-console
    console.log(
      `first sync of 4 configured clusters (2 reachable): ${
        Date.now() - started
      } ms`,
    );
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await deleteOwnDeployment();
  });

  it('reports each cluster: the real one ok, a closed port and a token without RBAC with their errors', () => {
    const { clusters } = service.listDeployments();
    expect(clusters.map(c => [c.name, c.ok])).toEqual([
      ['local', true],
      ['closed-port', false],
      ['eks', false],
      ['no-rbac', false],
    ]);
    expect(clusters[0].syncedAt).toEqual(expect.any(String));
    expect(clusters[1].error).toContain('ECONNREFUSED');
    expect(clusters[2].error).toBe(
      "Cluster 'eks' cannot be used: authProvider 'aws' (the backend's cloud credentials) is not supported by the ML Platform plugins; use authProvider 'serviceAccount' (with serviceAccountToken, or in the portal's own cluster its pod's service account) or 'localKubectlProxy'",
    );
    expect(clusters[3].error).toMatch(
      /403 Forbidden: deployments\.apps is forbidden: User "ml-platform-no-access"/,
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        "skipping kubernetes.clusterLocatorMethods entry of type 'catalog'",
      ),
    );
  });

  it('shows the seeded HTTPRoute splits with replicas from the Deployments status', async () => {
    const { deployments } = service.listDeployments();
    const prod = find(deployments, 'fraud-detector', 'ml-prod');
    const liveRoute = (await call('GET', SEEDED_ROUTE)).body;
    expect(prod.router).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name: 'fraud-scorer',
      resourceVersion: liveRoute.metadata.resourceVersion,
    });
    expect(prod.versions).toEqual([
      {
        version: '5',
        weight: 90,
        percent: 90,
        workload: {
          kind: 'Deployment',
          name: 'fraud-scorer-v5',
          replicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
        },
      },
      {
        version: '6',
        weight: 10,
        percent: 10,
        workload: {
          kind: 'Deployment',
          name: 'fraud-scorer-v6',
          replicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
        },
      },
    ]);
    const staging = find(deployments, 'fraud-detector', 'ml-staging');
    expect(split(staging)).toEqual({ '6': 100 });
    expect(staging.versions[0].workload?.replicas).toBe(1);
  });

  it('shows the paused Argo canary from the Rollout status, with its route folded in', () => {
    const { deployments } = service.listDeployments();
    const ranker = find(deployments, 'product-ranker', 'ml-prod');
    expect(ranker.router).toMatchObject({
      kind: 'Rollout',
      name: 'product-ranker',
    });
    expect(split(ranker)).toEqual({ '3': 80, '4': 20 });
    expect(ranker.versions.map(v => v.workload)).toEqual([
      expect.objectContaining({
        kind: 'ReplicaSet',
        replicas: 2,
        readyReplicas: 2,
      }),
      expect.objectContaining({
        kind: 'ReplicaSet',
        replicas: 1,
        readyReplicas: 1,
      }),
    ]);
    expect(ranker.progress).toEqual({
      phase: 'Paused',
      currentStepIndex: 1,
      totalSteps: 5,
      paused: true,
      message: 'CanaryPauseStep',
    });
    expect(
      deployments.filter(d => d.router?.name === 'product-ranker'),
    ).toHaveLength(1);
  });

  it('shows the KServe canary split by revision', () => {
    const { deployments } = service.listDeployments();
    const churn = find(deployments, 'churn-predictor', 'ml-staging');
    expect(churn.router).toMatchObject({
      kind: 'InferenceService',
      name: 'churn-predictor',
    });
    expect(split(churn)).toEqual({ '2': 70, '3': 30 });
    expect(churn.versions[1].workload?.name).toBe('churn-predictor-v3');
    expect(churn.progress).toEqual({ phase: 'Canary' });
  });

  it('answers reads from memory: no request reaches any apiserver', async () => {
    const request = jest.spyOn(https, 'request');
    try {
      // The spy sees what the Kubernetes client sends, or counting zero below would prove nothing.
      await localClient().get(
        { group: '', version: 'v1', plural: 'namespaces' },
        undefined,
        'ml-prod',
      );
      expect(request.mock.calls.length).toBeGreaterThan(0);

      request.mockClear();
      const started = process.hrtime.bigint();
      for (let i = 0; i < 100; i++) {
        service.listDeployments();
      }
      const perRead = Number(process.hrtime.bigint() - started) / 100 / 1e6;
      expect(request).not.toHaveBeenCalled();
      // eslint-disable-next-line no-console
      console.log(
        `listDeployments(): 0 requests, ${perRead.toFixed(3)} ms per read`,
      );
    } finally {
      request.mockRestore();
    }
  });

  it("shows the test's own HTTPRoute split with replicas from its Deployments status", async () => {
    const own = find(service.listDeployments().deployments, MODEL, NAMESPACE);
    const liveRoute = (await call('GET', OWN_ROUTE)).body;
    expect(own.router).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name: SERVICE,
      resourceVersion: liveRoute.metadata.resourceVersion,
    });
    expect(own.versions).toEqual(
      VERSIONS.map(({ version, weight }) => ({
        version,
        weight,
        percent: weight,
        workload: {
          kind: 'Deployment',
          name: `${SERVICE}-v${version}`,
          replicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
        },
      })),
    );
  });

  it('follows a weight change made in the apiserver without a restart', async () => {
    const patched = await setRouteWeights({
      [`${SERVICE}-v5`]: 30,
      [`${SERVICE}-v6`]: 10,
    });
    const started = Date.now();
    const own = await waitFor(() => {
      const d = find(service.listDeployments().deployments, MODEL, NAMESPACE);
      return d.router?.resourceVersion === patched.metadata.resourceVersion
        ? d
        : undefined;
    }, 5000);
    // eslint-disable-next-line no-console
    console.log(`weight change visible after ${Date.now() - started} ms`);
    // 30:10 is proportional: 75/25.
    expect(own.versions.map(v => [v.version, v.weight, v.percent])).toEqual([
      ['5', 30, 75],
      ['6', 10, 25],
    ]);
  });

  it('caches objects without managedFields, which the apiserver sends with every one', async () => {
    const live = (
      await call(
        'GET',
        `/api/v1/namespaces/${NAMESPACE}/services/${SERVICE}-v5`,
      )
    ).body;
    expect(live.metadata.managedFields?.length).toBeGreaterThan(0);
    const cached = service
      .listObjects<V1Service>(MODEL_SERVICES)
      .flatMap(c => c.objects)
      .find(o => o.metadata?.namespace === NAMESPACE);
    expect(cached?.metadata?.name).toMatch(new RegExp(`^${SERVICE}-v`));
    expect(cached?.metadata).not.toHaveProperty('managedFields');
    for (const resource of [
      MODEL_DEPLOYMENTS,
      MODEL_REPLICA_SETS,
      MODEL_SERVICES,
      HTTP_ROUTES,
    ]) {
      const all = service
        .listObjects<{ metadata?: V1ObjectMeta }>(resource)
        .flatMap(c => c.objects);
      expect(all.length).toBeGreaterThan(0);
      expect(all.filter(o => o.metadata?.managedFields)).toEqual([]);
    }
  });

  it('closes every watch on stop()', async () => {
    await service.stop();
    await waitFor(
      () => (openSockets() <= socketsBefore ? true : undefined),
      2000,
    );
    expect(openSockets()).toBeLessThanOrEqual(socketsBefore);
  });
});

/** A TCP relay to the apiserver that the test can take down and bring back on the same port. */
class Relay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly port: number) {}

  static async freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise(r => probe.close(r));
    return port;
  }

  async up() {
    const target = new URL(kube.server);
    this.server = net.createServer(client => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>(r =>
      this.server!.listen(this.port, '127.0.0.1', r),
    );
  }

  async down() {
    for (const s of this.sockets) s.destroy();
    await new Promise(r => (this.server ? this.server.close(r) : r(undefined)));
    this.server = undefined;
  }
}

/** The deployments of the local cluster reached through a relay on `port`, retrying fast. */
const serviceThrough = (port: number) =>
  createModelDeploymentsService({
    logger: mockServices.logger.mock(),
    kinds: BUILT_IN_TRAFFIC_KINDS,
    clusters: createKubernetesClusters({
      logger: mockServices.logger.mock(),
      config: new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                localClusterConfig({
                  name: 'flaky',
                  url: `https://127.0.0.1:${port}`,
                }),
              ],
            },
          ],
        },
      }),
    }),
    options: { initialBackoffMs: 100, maxBackoffMs: 500 },
  });

describe('a cluster that is down, comes up, and goes down again', () => {
  it('reports the outage, keeps the last known deployments, and recovers by itself', async () => {
    const port = await Relay.freePort();
    const relay = new Relay(port);
    const service = serviceThrough(port);
    const status = () => service.listDeployments().clusters[0];
    const fraudDetectors = () =>
      service
        .listDeployments()
        .deployments.filter(d => d.model === 'fraud-detector').length;
    try {
      await service.start();
      expect(status()).toMatchObject({ ok: false });
      expect(status().error).toContain('ECONNREFUSED');
      expect(fraudDetectors()).toBe(0);

      await relay.up();
      await waitFor(() => (status().ok ? true : undefined), 5000);
      expect(fraudDetectors()).toBe(2);

      await relay.down();
      await waitFor(() => (status().ok ? undefined : true), 5000);
      // Whichever network error each watch saw (reset, premature close, refused), named by kind.
      expect(status().error).toMatch(
        /(deployments|replicasets|services|httproutes|rollouts|inferenceservices).*: \S/,
      );
      expect(fraudDetectors()).toBe(2);

      await relay.up();
      await waitFor(() => (status().ok ? true : undefined), 5000);
    } finally {
      await service.stop();
      await relay.down();
    }
  });
});

describe('an object deleted while its cluster is unreachable', () => {
  const ns = `${NAMESPACE}-prune`;
  const servicePath = `/api/v1/namespaces/${ns}/services/pruned`;

  afterAll(async () => {
    await call('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('is gone from the cache once the watch is back', async () => {
    await create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
    await create(`/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'pruned',
        labels: {
          'ml-platform.io/model': MODEL,
          'ml-platform.io/model-version': '1',
        },
      },
      spec: { ports: [{ port: 8080 }] },
    });
    const port = await Relay.freePort();
    const relay = new Relay(port);
    await relay.up();
    const service = serviceThrough(port);
    const cached = () =>
      service
        .listObjects<V1Service>(MODEL_SERVICES)
        .flatMap(c => c.objects)
        .some(o => o.metadata?.namespace === ns);
    try {
      await service.start();
      await waitFor(() => (cached() ? true : undefined), 5000);

      await relay.down();
      await waitFor(
        () => (service.listDeployments().clusters[0].ok ? undefined : true),
        5000,
      );
      expect((await call('DELETE', servicePath)).status).toBe(200);
      // Still the last known state while the cluster is unreachable.
      expect(cached()).toBe(true);

      await relay.up();
      await waitFor(() => (cached() ? undefined : true), 10_000);
    } finally {
      await service.stop();
      await relay.down();
    }
  });
});

describe('a kind whose CRD is not installed', () => {
  it('yields no objects and no error', async () => {
    const watch = localClient().watch(
      { group: 'widgets.example.com', version: 'v1', plural: 'widgets' },
      {
        retry: {
          initialBackoffMs: 100,
          maxBackoffMs: 100,
          notInstalledRecheckMs: 60_000,
        },
        logger: mockServices.logger.mock(),
      },
    );
    try {
      await watch.start();
      expect(watch.state()).toMatchObject({
        synced: true,
        notInstalled: true,
      });
      expect(watch.state().error).toBeUndefined();
      expect(watch.objects()).toEqual([]);
    } finally {
      await watch.stop();
    }
  });
});
