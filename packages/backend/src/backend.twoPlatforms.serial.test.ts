import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  fetchAcrossRestarts,
  kubeAdminRequest,
  platformFilePath,
  startSecondPlatform,
  type SecondPlatform,
} from 'platform-tests';
import { startPortalOnPlatform } from './templates/__testUtils__/portalBackend';
import { BackendProcess, eventually } from './testing/startBackendProcess';

// The portal over two clusters and two model registries: the local platform's
// and a second instance of its apiserver and MLflow. Models and deployments
// come from both, a rollout works in each, and with one of each stopped the
// rest still answers and the missing one is named. It starts and stops
// servers of its own, so scripts/test.sh runs it with the serial suites.

jest.setTimeout(10 * 60_000);

const SECOND_CLUSTER = 'second';
const SECOND_REGISTRY = 'mlflow-second';
const SECOND_MODEL = 'second-registry-model';
const NAMESPACE = 'ml-second';
const MODEL = 'fraud-detector';
const SERVICE = 'fraud-scorer';

const labels = (version: string) => ({
  'app.kubernetes.io/name': SERVICE,
  'ml-platform.io/model': MODEL,
  'ml-platform.io/model-version': version,
});

/** fraud-detector v5 and v6 behind an HTTPRoute at 90/10, in the second cluster. */
async function seedSecondCluster(second: SecondPlatform) {
  const kube = second.kubeClient();
  const create = (p: string, body: object) =>
    kube.request({ method: 'POST', path: p, body }).then(res => {
      if (res.status >= 300) {
        throw new Error(`POST ${p}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    });
  await create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE },
  });
  for (const version of ['5', '6']) {
    await create(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${SERVICE}-v${version}`, labels: labels(version) },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels(version) },
        template: {
          metadata: { labels: labels(version) },
          spec: { containers: [{ name: 'model', image: 'model:1' }] },
        },
      },
    });
    await create(`/api/v1/namespaces/${NAMESPACE}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${SERVICE}-v${version}`, labels: labels(version) },
      spec: { selector: labels(version), ports: [{ port: 8080 }] },
    });
  }
  await create(
    `/apis/gateway.networking.k8s.io/v1/namespaces/${NAMESPACE}/httproutes`,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: SERVICE, labels: { 'ml-platform.io/model': MODEL } },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: `${SERVICE}-v5`, port: 8080, weight: 90 },
              { name: `${SERVICE}-v6`, port: 8080, weight: 10 },
            ],
          },
        ],
      },
    },
  );
}

/** The platform's config, with the second cluster and registry next to the first. */
function writeTwoPlatformConfig(second: SecondPlatform): string {
  const config = JSON.parse(
    fs.readFileSync(platformFilePath('app-config.platform.yaml'), 'utf8'),
  );
  config.kubernetes.clusterLocatorMethods[0].clusters.push({
    name: SECOND_CLUSTER,
    url: second.kube.server,
    authProvider: 'serviceAccount',
    serviceAccountToken: second.kube.token,
    caData: second.kube.caData,
    skipMetricsLookup: true,
  });
  config.mlPlatform.registries.mlflow.push({
    id: SECOND_REGISTRY,
    baseUrl: second.mlflow.url,
    auth: {
      username: second.mlflow.username,
      password: second.mlflow.password,
    },
  });
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'two-platforms-')),
    'app-config.two-platforms.yaml',
  );
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('the portal over two clusters and two model registries', () => {
  let second: SecondPlatform;
  let backend: BackendProcess;
  let token: string;
  let configFile: string;

  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetchAcrossRestarts(
      `${backend.baseUrl}/api/ml-platform${p}`,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
    );
    return { status: res.status, body: await res.json() };
  };
  /** A split rollout of fraud-detector in one cluster and namespace. */
  const split = (
    cluster: string,
    namespace: string,
    weights: Record<string, number>,
  ) =>
    call('POST', '/rollouts', {
      model: MODEL,
      cluster,
      namespace,
      strategy: 'split',
      weights,
    });
  const splitIn = (body: any, cluster: string, namespace: string) =>
    Object.fromEntries(
      body.deployments
        .find((d: any) => d.cluster === cluster && d.namespace === namespace)
        ?.versions.map((v: any) => [v.version, v.percent]) ?? [],
    );

  beforeAll(async () => {
    second = startSecondPlatform();
    await seedSecondCluster(second);
    await second.mlflowApi('POST', 'registered-models/create', {
      name: SECOND_MODEL,
      description: 'Registered only in the second MLflow.',
    });
    configFile = writeTwoPlatformConfig(second);
    ({ backend, token } = await startPortalOnPlatform({
      configs: [configFile],
      // Refreshed at once after the second platform stops.
      env: { APP_CONFIG_mlPlatform_refresh_minInterval: 'PT0S' },
    }));
  });

  afterAll(async () => {
    await backend?.stop();
    second?.remove();
    if (configFile) fs.rmSync(path.dirname(configFile), { recursive: true });
  });

  it('lists the models of both registries and the deployments of both clusters', async () => {
    const listed = await eventually(async () => {
      const { body } = await call('GET', '/models?limit=500');
      const names = (body.items ?? []).map((m: any) => m.name);
      return names.includes(SECOND_MODEL) && names.includes(MODEL)
        ? body
        : undefined;
    }, 'both registries read');
    expect(listed.registries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'mlflow', ok: true }),
        expect.objectContaining({ id: SECOND_REGISTRY, ok: true }),
      ]),
    );
    expect(
      listed.items.find((m: any) => m.name === SECOND_MODEL),
    ).toMatchObject({ registryId: SECOND_REGISTRY });

    const model = await eventually(async () => {
      const { body } = await call('GET', `/models/${MODEL}`);
      return Object.keys(splitIn(body, SECOND_CLUSTER, NAMESPACE)).length
        ? body
        : undefined;
    }, 'the second cluster watched');
    expect(model.clusters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'local', ok: true }),
        expect.objectContaining({ name: SECOND_CLUSTER, ok: true }),
      ]),
    );
    expect(splitIn(model, SECOND_CLUSTER, NAMESPACE)).toEqual({
      '5': 90,
      '6': 10,
    });
    expect(splitIn(model, 'local', 'ml-prod')).toEqual({ '5': 90, '6': 10 });
  });

  it('rolls out in each cluster, each write landing in its own apiserver', async () => {
    const route = (ns: string) =>
      `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${SERVICE}`;
    const weightsOf = (object: any) =>
      object.spec.rules
        .at(-1)
        .backendRefs.map((r: any) => [r.name, r.weight ?? 1]);
    const localBefore = await kubeAdminRequest('GET', route('ml-prod'));
    try {
      const inSecond = await split(SECOND_CLUSTER, NAMESPACE, {
        '5': 50,
        '6': 50,
      });
      expect(inSecond.status).toBe(200);
      const secondRoute = await second
        .kubeClient()
        .request({ method: 'GET', path: route(NAMESPACE) });
      expect(weightsOf(secondRoute.body)).toEqual([
        [`${SERVICE}-v5`, 50],
        [`${SERVICE}-v6`, 50],
      ]);
      // The first cluster's route of the same model is untouched.
      expect(
        (await kubeAdminRequest('GET', route('ml-prod'))).metadata
          .resourceVersion,
      ).toBe(localBefore.metadata.resourceVersion);

      const inLocal = await split('local', 'ml-prod', { '5': 80, '6': 20 });
      expect(inLocal.status).toBe(200);
      const localAfter = await kubeAdminRequest('GET', route('ml-prod'));
      expect(weightsOf(localAfter)).toEqual(
        expect.arrayContaining([
          [expect.stringMatching(/-v5$/), 80],
          [expect.stringMatching(/-v6$/), 20],
        ]),
      );
    } finally {
      // Put the demo's split back for the suites after this one.
      await split('local', 'ml-prod', { '5': 90, '6': 10 });
    }
  });

  it('answers from the rest with one cluster and one registry stopped, naming both', async () => {
    second.stop('mlflow');
    second.stop('kube');
    expect(
      (
        await fetchAcrossRestarts(
          `${backend.baseUrl}/api/ml-platform/refresh`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
          },
        )
      ).status,
    ).toBe(204);

    const during = await eventually(async () => {
      const { body } = await call('GET', `/models/${MODEL}`);
      const down = body.clusters?.find((c: any) => c.name === SECOND_CLUSTER);
      return down && !down.ok ? body : undefined;
    }, 'the second cluster to be reported down');
    expect(during.clusters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'local', ok: true }),
        expect.objectContaining({
          name: SECOND_CLUSTER,
          ok: false,
          error: expect.stringMatching(
            /ECONNREFUSED|socket hang up|ECONNRESET/,
          ),
        }),
      ]),
    );
    expect(during.registries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'mlflow', ok: true }),
        expect.objectContaining({
          id: SECOND_REGISTRY,
          ok: false,
          error: expect.stringMatching(/ECONNREFUSED/),
        }),
      ]),
    );
    // The first cluster's deployments and the first registry's versions are whole.
    expect(splitIn(during, 'local', 'ml-prod')).toEqual({ '5': 90, '6': 10 });
    expect(during.versions.map((v: any) => v.version)).toEqual(
      expect.arrayContaining(['5', '6']),
    );

    // A rollout in the cluster that is down is refused and names it.
    const refused = await split(SECOND_CLUSTER, NAMESPACE, {
      '5': 100,
      '6': 0,
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toMatch(
      /^Cluster 'second' does not answer: .*(ECONNREFUSED|Premature close)/,
    );
  });
});
