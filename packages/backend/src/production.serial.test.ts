import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  kubeAdminRequest,
  kubeRequest,
  localClusterConfig,
  mlflowAdminApi,
  readLocalPostgres,
  readPlatformFile,
} from 'platform-tests';
import {
  buildProductionBundle,
  prepareAppDir,
  type ProductionProcess,
  startProductionProcess,
} from './testing/productionBundle';
import { eventually } from './testing/startBackendProcess';
import { withLocalDatabase } from './__testUtils__/withLocalDatabase';

// The portal as production runs it: the bundle of `yarn build:backend` with
// production dependencies only (installed as the Dockerfile installs them),
// started by `node packages/backend` with app-config.production.yaml and its
// secrets from the environment, two replicas on one fresh PostgreSQL database
// set. The only stand-in: the local apiserver's admin token replaces the pod's
// service account, which exists only inside a cluster (the RBAC tests cover
// the service account's rights). The model, namespace and databases are this
// run's own and are deleted afterwards.

jest.setTimeout(300_000);

const id = randomUUID().slice(0, 8);
const prefix = `ml_prod_${id}_`;
const ns = `test-prod-${id}`;
const model = `test-prod-${id}`;
const apiToken = randomBytes(24).toString('base64url');
const PORT = 8080;
const DEMO_MODELS = [
  'churn-predictor',
  'fraud-detector',
  'product-ranker',
  'ticket-router',
];

const pg = readLocalPostgres();
const mlflow = readPlatformFile<{
  url: string;
  uiUrl: string;
  username: string;
  password: string;
}>('mlflow');
const zenml = readPlatformFile<{
  url: string;
  dashboardUrl: string;
  username: string;
  password: string;
}>('zenml');
const lakefs = readPlatformFile<{
  url: string;
  uiUrl: string;
  accessKeyId: string;
  secretAccessKey: string;
}>('lakefs');

/** The environment the deployment's Secret and ConfigMap give the pods. */
const productionEnv = {
  POSTGRES_HOST: pg.host,
  POSTGRES_PORT: String(pg.port),
  POSTGRES_USER: pg.user,
  POSTGRES_PASSWORD: pg.password,
  PORTAL_API_TOKEN: apiToken,
  MLFLOW_URL: mlflow.url,
  MLFLOW_UI_URL: mlflow.uiUrl,
  MLFLOW_USERNAME: mlflow.username,
  MLFLOW_PASSWORD: mlflow.password,
  ZENML_URL: zenml.url,
  ZENML_DASHBOARD_URL: zenml.dashboardUrl,
  ZENML_USERNAME: zenml.username,
  ZENML_PASSWORD: zenml.password,
  LAKEFS_URL: lakefs.url,
  LAKEFS_UI_URL: lakefs.uiUrl,
  LAKEFS_ACCESS_KEY_ID: lakefs.accessKeyId,
  LAKEFS_SECRET_ACCESS_KEY: lakefs.secretAccessKey,
};

const query = <T>(database: string, sql: string, values?: unknown[]) =>
  withLocalDatabase(database, async c => (await c.query<T>(sql, values)).rows);

const routePath = `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${model}`;
const routeWeights = async () =>
  Object.fromEntries(
    (await kubeAdminRequest('GET', routePath)).spec.rules[0].backendRefs.map(
      (r: { name: string; weight: number }) => [r.name, r.weight],
    ),
  );

/** A model with three versions in MLflow, v1 taking all traffic of its HTTPRoute. */
async function createScratchDeployment() {
  // Every version gets the files of the demo's fraud-detector v6 (ONNX): the
  // serving gate reads a version's files and refuses what it cannot check.
  const { model_version: onnx } = await mlflowAdminApi(
    'GET',
    'model-versions/get?name=fraud-detector&version=6',
  );
  // MLflow 3 registers logged models: source is models:/<model id>.
  const modelId: string | undefined =
    onnx.model_id ?? onnx.source.match(/^models:\/(.+)$/)?.[1];
  await mlflowAdminApi('POST', 'registered-models/create', { name: model });
  for (let v = 1; v <= 3; v++) {
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: model,
      source: onnx.source,
      ...(modelId && { model_id: modelId }),
    });
  }
  await kubeAdminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  for (const v of ['1', '2', '3']) {
    const labels = {
      'ml-platform.io/model': model,
      'ml-platform.io/model-version': v,
    };
    await kubeAdminRequest('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${model}-v${v}`, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'http', port: PORT, targetPort: PORT }],
      },
    });
  }
  await kubeAdminRequest(
    'POST',
    `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`,
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: model },
      spec: {
        parentRefs: [{ name: 'ml-gateway' }],
        rules: [
          {
            backendRefs: ['1', '2', '3'].map(v => ({
              name: `${model}-v${v}`,
              port: PORT,
              weight: v === '1' ? 100 : 0,
            })),
          },
        ],
      },
    },
  );
}

describe('the production bundle, two replicas on one PostgreSQL', () => {
  let app: ReturnType<typeof prepareAppDir> | undefined;
  let replicaA: ProductionProcess | undefined;
  let replicaB: ProductionProcess | undefined;

  const call = async (
    replica: ProductionProcess,
    urlPath: string,
    init: { method?: string; body?: object; token?: string | null } = {},
  ) => {
    const token = init.token === undefined ? apiToken : init.token;
    const res = await fetch(`${replica.baseUrl}${urlPath}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(init.body && { 'content-type': 'application/json' }),
      },
      body: init.body && JSON.stringify(init.body),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // HTML or empty: kept as text
    }
    return { status: res.status, body };
  };

  beforeAll(async () => {
    // Before the replicas start, so that their first reads find it.
    await createScratchDeployment();
    app = prepareAppDir(buildProductionBundle());
    const config = path.join(app.dir, 'app-config.local-platform.yaml');
    fs.writeFileSync(
      config,
      JSON.stringify({
        backend: { database: { prefix } },
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [localClusterConfig({ skipMetricsLookup: true })],
            },
          ],
        },
      }),
    );
    const start = () =>
      startProductionProcess({ appDir: app!.dir, config, env: productionEnv });
    // One after the other, as a rolling update brings replicas up: two
    // first starts at once on an empty database race on creating the
    // plugins' tables and migration locks, and the loser never gets ready.
    replicaA = await start();
    replicaB = await start();
  }, 25 * 60_000);

  afterAll(async () => {
    await replicaA?.kill();
    await replicaB?.stop();
    app?.remove();
    const databases = await query<{ datname: string }>(
      'postgres',
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of databases) {
      await query('postgres', `DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    await kubeRequest('DELETE', `/api/v1/namespaces/${ns}`);
    await mlflowAdminApi('DELETE', 'registered-models/delete', { name: model });
  });

  it("serves the portal and the ML Platform API from the bundle, with the plugin's tables in PostgreSQL", async () => {
    for (const replica of [replicaA!, replicaB!]) {
      expect(
        (await call(replica, '/.backstage/health/v1/readiness')).status,
      ).toBe(200);
      const page = await call(replica, '/', { token: null });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="root">');
    }

    const listing = await eventually(async () => {
      const { body } = await call(replicaA!, '/api/ml-platform/models');
      return body.registries?.[0]?.ok && body.clusters?.[0]?.ok
        ? body
        : undefined;
    }, 'the first read of MLflow and the cluster');
    const names = listing.items.map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining([...DEMO_MODELS, model]));
    expect(
      listing.items.find((m: { name: string }) => m.name === 'fraud-detector'),
    ).toMatchObject({
      owner: 'fraud-ml',
      aliases: { champion: '5', challenger: '6' },
      deployments: expect.arrayContaining([
        expect.objectContaining({ cluster: 'local', namespace: 'ml-prod' }),
      ]),
    });
    expect(
      listing.items.find((m: { name: string }) => m.name === model),
    ).toMatchObject({
      deployments: [
        {
          cluster: 'local',
          namespace: ns,
          versions: [
            { version: '1', percent: 100 },
            { version: '2', percent: 0 },
            { version: '3', percent: 0 },
          ],
        },
      ],
    });

    const tables = await query<{ table_name: string }>(
      `${prefix}ml-platform`,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map(t => t.table_name)).toEqual(
      expect.arrayContaining([
        'ml_platform_rollout_audit',
        'ml_platform_gradual_rollouts',
        'ml_platform_first_serving',
        // The scheduler's shared state: how the replicas run a task once.
        'backstage_backend_tasks__tasks',
      ]),
    );
    const tasks = await query<{ id: string }>(
      `${prefix}ml-platform`,
      'SELECT id FROM backstage_backend_tasks__tasks',
    );
    expect(tasks.map(t => t.id)).toContain('ml-platform-gradual-rollouts');
  });

  it('lets nobody in without a token, and the API token only into the ML Platform API and the plugins it consults', async () => {
    const replica = replicaA!;
    expect(
      (await call(replica, '/api/ml-platform/models', { token: null })).status,
    ).toBe(401);
    // No guest in production: NODE_ENV=production turns the demo's guest away.
    const guest = await fetch(`${replica.baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(guest.ok).toBe(false);

    expect((await call(replica, '/api/catalog/entities?limit=1')).status).toBe(
      200,
    );
    expect(
      (
        await call(
          replica,
          '/api/scaffolder/v2/templates/default/template/x/parameter-schema',
        )
      ).status,
    ).toBe(403);
    expect((await call(replica, '/api/kubernetes/clusters')).status).toBe(403);
    // Within the two plugins, only what mlPlatform.servicePrincipals and the
    // token's accessRestrictions name: no registry refresh, no catalog write.
    expect(
      (await call(replica, '/api/ml-platform/models/fraud-detector/rollouts'))
        .status,
    ).toBe(200);
    expect(
      (await call(replica, '/api/ml-platform/refresh', { method: 'POST' }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(replica, '/api/catalog/locations', {
          method: 'POST',
          body: {
            type: 'url',
            target: 'https://example.com/catalog-info.yaml',
          },
        })
      ).status,
    ).toBe(403);
  });

  it('gives the same model answers on both replicas', async () => {
    const listings = await Promise.all(
      [replicaA!, replicaB!].map(async replica => {
        const { body } = await call(replica, '/api/ml-platform/models');
        return {
          items: body.items,
          totalCount: body.totalCount,
          // When each replica's own watch last synced differs, nothing else.
          clusters: body.clusters.map((c: { name: string; ok: boolean }) => [
            c.name,
            c.ok,
          ]),
        };
      }),
    );
    expect(listings[1]).toEqual(listings[0]);
    const details = await Promise.all(
      [replicaA!, replicaB!].map(
        async replica =>
          (
            await call(replica, '/api/ml-platform/models/fraud-detector')
          ).body,
      ),
    );
    expect(details[1].versions).toEqual(details[0].versions);
    expect(details[1].deployments).toEqual(details[0].deployments);
  });

  it('completes a gradual rollout exactly once on the other replica when the one that started it is killed', async () => {
    // Rollouts need the model's catalog entity: the ml-model Resource the
    // catalog module makes for a model no entity names.
    await eventually(
      async () => {
        const { body } = await call(
          replicaB!,
          `/api/catalog/entities?filter=kind=resource,metadata.name=${model}`,
        );
        return body.length === 1 ? true : undefined;
      },
      "the scratch model's entity",
      180_000,
    );

    // The first wait keeps the second step out of replica A's reach; the
    // others are the shortest the API accepts.
    const started = await call(replicaA!, '/api/ml-platform/rollouts/gradual', {
      method: 'POST',
      body: {
        model,
        cluster: 'local',
        namespace: ns,
        target: { version: '2' },
        steps: [
          { percent: 30, waitSeconds: 15 },
          { percent: 60, waitSeconds: 0 },
          { percent: 100, waitSeconds: 0 },
        ],
      },
    });
    expect([started.status, started.body.error?.message]).toEqual([
      201,
      undefined,
    ]);
    expect(started.body).toMatchObject({ state: 'running', currentStep: 0 });
    await replicaA!.kill();
    expect(await routeWeights()).toEqual({
      [`${model}-v1`]: 70,
      [`${model}-v2`]: 30,
      [`${model}-v3`]: 0,
    });

    // The scheduler's lock of a killed runner expires after the task's
    // timeout (one minute), so B may wait that long before its first turn.
    const done = await eventually(
      async () => {
        const { body } = await call(
          replicaB!,
          `/api/ml-platform/rollouts/gradual/${started.body.id}`,
        );
        return ['succeeded', 'failed'].includes(body.state) ? body : undefined;
      },
      'the gradual rollout to finish on replica B',
      240_000,
    );
    expect(done).toMatchObject({ state: 'succeeded', currentStep: 2 });
    expect(done.error).toBeUndefined();
    expect(await routeWeights()).toEqual({
      [`${model}-v1`]: 0,
      [`${model}-v2`]: 100,
      [`${model}-v3`]: 0,
    });

    // Each step applied once: step 1 by A, which then died; 2 and 3 by B.
    const applied = (replica: ProductionProcess, step: number) =>
      replica
        .output()
        .split('\n')
        .filter(l =>
          l.includes(
            `${started.body.id} of ${model} in local/${ns}: step ${step} of 3 applied`,
          ),
        ).length;
    expect([1, 2, 3].map(s => applied(replicaA!, s))).toEqual([1, 0, 0]);
    expect([1, 2, 3].map(s => applied(replicaB!, s))).toEqual([0, 1, 1]);

    // One audit record per step, in the API and in PostgreSQL.
    const trail = await call(
      replicaB!,
      `/api/ml-platform/models/${model}/rollouts`,
    );
    expect(trail.status).toBe(200);
    const steps = [...trail.body.items]
      .reverse()
      .map((r: any) => [
        r.strategy,
        r.result,
        r.after.versions.find((v: { version: string }) => v.version === '2')
          .percent,
      ]);
    expect(steps).toEqual([
      ['canary', 'succeeded', 30],
      ['canary', 'succeeded', 60],
      ['promote', 'succeeded', 100],
    ]);
    const rows = await query<{ strategy: string; n: string }>(
      `${prefix}ml-platform`,
      `SELECT strategy, after, count(*) AS n FROM ml_platform_rollout_audit
       WHERE model = $1 GROUP BY strategy, after ORDER BY min(id)`,
      [model],
    );
    expect(rows.map(r => [r.strategy, Number(r.n)])).toEqual([
      ['canary', 1],
      ['canary', 1],
      ['promote', 1],
    ]);
  });
});
