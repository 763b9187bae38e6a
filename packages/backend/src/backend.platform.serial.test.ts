import {
  kubeRequest,
  mlflowAdminApi,
  platformFilePath,
  readPlatformFile,
} from 'platform-tests';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';

// The portal's real backend pointed at the real local platform (MLflow, ZenML,
// lakeFS, kube-apiserver; scripts/platform/up.sh): its answers must equal what
// the servers hold.

jest.setTimeout(180_000);

// The demo's registered models. Other suites register models of their own
// (the serialization corpus is registered once and kept), so the portal is
// held to what MLflow holds, and to the demo's models as seeded.
const DEMO_MODELS = [
  'churn-predictor',
  'fraud-detector',
  'product-ranker',
  'ticket-router',
];
const onlyDemo = (names: string[]) =>
  names.filter(name => DEMO_MODELS.includes(name));

/** Every registered model's name, as MLflow's own search answers, sorted. */
async function mlflowModelNames(): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const query = new URLSearchParams({ max_results: '1000' });
    if (pageToken) query.set('page_token', pageToken);
    const page = await mlflowAdminApi(
      'GET',
      `registered-models/search?${query}`,
    );
    for (const model of page.registered_models ?? []) names.push(model.name);
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return names.sort();
}

describe('the portal backend on the local ML platform', () => {
  let backend: BackendProcess;
  let token: string;
  const mlflow = readPlatformFile('mlflow');
  const zenmlSeed = readPlatformFile('zenml-seed');
  const lakefsSeed = readPlatformFile('lakefs-seed');
  const scratchModel = `e2e-scratch-${process.pid}-${Date.now()}`;

  const get = async (p: string) => {
    const res = await fetch(`${backend.baseUrl}/api/ml-platform${p}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    backend = await startBackendProcess({
      configs: [platformFilePath('app-config.platform.yaml')],
    });
    token = await backend.signInAsGuest();
    // The first request waits for the first read of the registries.
    await eventually(async () => {
      const { body } = await get('/models');
      return body.registries?.[0]?.ok ? true : undefined;
    }, 'the first read of MLflow');
  });

  afterAll(async () => {
    await mlflowAdminApi('DELETE', 'registered-models/delete', {
      name: scratchModel,
    }).catch(() => undefined);
    await backend?.stop();
  });

  it('lists every registered model with owner, aliases, where it runs and how safely', async () => {
    const { status, body } = await get('/models?limit=500');
    expect(status).toBe(200);
    expect(body.registries).toEqual([
      expect.objectContaining({ id: 'mlflow', type: 'mlflow', ok: true }),
    ]);
    expect(body.clusters).toEqual([
      expect.objectContaining({ name: 'local', ok: true }),
    ]);
    const byName = Object.fromEntries(
      body.items.map((m: { name: string }) => [m.name, m]),
    );
    expect(Object.keys(byName).sort()).toEqual(await mlflowModelNames());
    expect(onlyDemo(Object.keys(byName).sort())).toEqual(DEMO_MODELS);

    expect(byName['fraud-detector']).toMatchObject({
      owner: 'fraud-ml',
      latestVersion: '6',
      aliases: { champion: '5', challenger: '6' },
      safety: 'safe',
    });
    expect(byName['fraud-detector'].deployments).toEqual(
      expect.arrayContaining([
        {
          cluster: 'local',
          namespace: 'ml-prod',
          versions: expect.arrayContaining([
            { version: '5', percent: 90 },
            { version: '6', percent: 10 },
          ]),
        },
        {
          cluster: 'local',
          namespace: 'ml-staging',
          versions: [{ version: '6', percent: 100 }],
        },
      ]),
    );

    // KServe sends 30 % to v3, a pickled pyfunc: the model is unsafe, and why.
    expect(byName['churn-predictor']).toMatchObject({
      safety: 'unsafe',
      safetyReason: expect.stringMatching(/^v3: .*python_model/),
    });
    expect(byName['churn-predictor'].deployments[0].versions).toEqual(
      expect.arrayContaining([
        { version: '2', percent: 70 },
        { version: '3', percent: 30 },
      ]),
    );

    expect(byName['product-ranker'].deployments[0]).toMatchObject({
      namespace: 'ml-prod',
      versions: expect.arrayContaining([
        { version: '3', percent: 80 },
        { version: '4', percent: 20 },
      ]),
    });
    expect(byName['ticket-router'].deployments).toEqual([]);
  });

  it('filters on the server: deployed, cluster, owner, safety', async () => {
    // Among the demo's models, each filter picks exactly these.
    const names = async (q: string) =>
      onlyDemo(
        (await get(`/models?limit=500&${q}`)).body.items.map(
          (m: any) => m.name,
        ),
      );
    expect(await names('deployed=false')).toEqual(['ticket-router']);
    expect(await names('cluster=local')).toEqual([
      'churn-predictor',
      'fraud-detector',
      'product-ranker',
    ]);
    expect(await names('owner=recsys-ml')).toEqual([
      'churn-predictor',
      'product-ranker',
    ]);
    expect(await names('safety=unsafe')).toEqual(['churn-predictor']);
  });

  it('returns a model with every version, its run, safety verdict and lineage links', async () => {
    const { status, body } = await get('/models/fraud-detector');
    expect(status).toBe(200);
    expect(body.versions.map((v: any) => v.version)).toEqual([
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
    ]);
    const v1 = body.versions.find((v: any) => v.version === '1');
    const zenmlRun = zenmlSeed.models['fraud-detector'].versions['1'];
    expect(v1).toMatchObject({
      status: 'READY',
      safety: {
        safety: 'unsafe',
        source: 'bytes',
        reason: expect.stringMatching(
          /model\.pkl: Unpickling it imports and calls sklearn\./,
        ),
      },
      run: { metrics: { auc: 0.91 } },
      links: {
        registry: `${mlflow.uiUrl}/#/models/fraud-detector/versions/1`,
      },
      lineage: {
        pipelineRun: {
          id: zenmlRun.runId,
          name: 'fraud_training-v1',
          pipeline: 'fraud_training',
          status: 'completed',
          link: expect.stringContaining(`/runs/${zenmlRun.runId}`),
        },
        dataCommit: {
          repository: 'training-data',
          commitId: lakefsSeed.commits['transactions-2026-09'],
          message: 'Card transactions, September 2026',
          link: expect.stringContaining(
            `/repositories/training-data/commits/${lakefsSeed.commits['transactions-2026-09']}`,
          ),
        },
      },
    });
    expect(
      body.versions.find((v: any) => v.version === '5').safety,
    ).toMatchObject({
      safety: 'safe',
      source: 'bytes',
      reason: expect.stringMatching(/data only \(onnx\)/),
      files: expect.arrayContaining([
        expect.objectContaining({ path: 'model.onnx', format: 'onnx' }),
      ]),
    });
    expect(body.deployments).toHaveLength(2);
  });

  it('records when each version first served traffic, and its lead time', async () => {
    const { body } = await get('/models/fraud-detector');
    const v5 = body.versions.find((v: any) => v.version === '5');
    expect(v5).toMatchObject({
      firstServingAt: expect.any(String),
      firstServingLocation: { cluster: 'local', namespace: 'ml-prod' },
    });
    expect(v5.leadTimeSeconds).toBeGreaterThanOrEqual(0);
    expect(
      Date.parse(v5.firstServingAt) - Date.parse(v5.createdAt),
    ).toBeCloseTo(v5.leadTimeSeconds * 1000, -1);
    // v4 never served traffic.
    const v4 = body.versions.find((v: any) => v.version === '4');
    expect(v4.firstServingAt).toBeUndefined();

    const measured = body.versions
      .map((v: any) => v.leadTimeSeconds)
      .filter((s: number | undefined) => s !== undefined)
      .sort((a: number, b: number) => a - b);
    const listing = await get('/models?search=fraud-detector');
    expect(listing.body.items[0].leadTime).toEqual({
      medianSeconds:
        measured.length % 2
          ? measured[(measured.length - 1) / 2]
          : (measured[measured.length / 2 - 1] +
              measured[measured.length / 2]) /
            2,
      measuredVersions: measured.length,
    });
  });

  it('lists the in-cluster MLflow, ZenML and lakeFS dashboards, probed healthy', async () => {
    const tools = await eventually(
      async () => {
        const { body } = await get('/tools');
        const inMlTools = (body.tools ?? []).filter(
          (t: any) => t.namespace === 'ml-tools',
        );
        return inMlTools.length === 3 &&
          inMlTools.every((t: any) => t.healthy === true)
          ? inMlTools
          : undefined;
      },
      'three healthy tools',
      90_000,
    );
    expect(tools.map((t: any) => [t.name, t.type, t.namespace]).sort()).toEqual(
      [
        ['lakefs', 'lakefs', 'ml-tools'],
        ['mlflow', 'mlflow', 'ml-tools'],
        ['zenml', 'zenml', 'ml-tools'],
      ],
    );
    expect(tools.find((t: any) => t.name === 'mlflow').url).toBe(mlflow.uiUrl);
  });

  it('puts registered models that no entity names into the catalog, without duplicating the others', async () => {
    const entityRefs = async () => {
      const res = await fetch(
        `${backend.baseUrl}/api/catalog/entities?filter=kind=resource,spec.type=ml-model`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      return ((await res.json()) as any[]).map(e => e.metadata.name).sort();
    };
    // Of the demo's models only ticket-router has no component naming it in
    // catalog/; every model another suite registered has none either.
    const named = ['churn-predictor', 'fraud-detector', 'product-ranker'];
    const expected = (await mlflowModelNames()).filter(
      name => !named.includes(name),
    );
    expect(expected).toContain('ticket-router');
    let found: string[] = [];
    await eventually(
      async () => {
        found = await entityRefs();
        return found.length >= expected.length ? true : undefined;
      },
      'the model entity provider',
      120_000,
    ).catch(() => undefined);
    expect(found).toEqual(expected);
  });

  it('answers 404 for an unknown model and 400 for a bad query', async () => {
    expect((await get('/models/no-such-model')).status).toBe(404);
    const bad = await get('/models?safety=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/safety/);
  });

  it('shows a model registered in MLflow after a refresh, without a restart', async () => {
    const { body: fraud } = await get('/models/fraud-detector');
    const source = fraud.versions.find((v: any) => v.version === '5').source;
    await mlflowAdminApi('POST', 'registered-models/create', {
      name: scratchModel,
    });
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: scratchModel,
      source,
      // MLflow 3 registers logged models: source is models:/<model id>.
      model_id: source.replace(/^models:\//, ''),
    });

    expect((await get(`/models/${scratchModel}`)).status).toBe(404);
    const refresh = await fetch(`${backend.baseUrl}/api/ml-platform/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refresh.status).toBe(204);
    const { status, body } = await get(`/models/${scratchModel}`);
    expect(status).toBe(200);
    expect(body.versions).toEqual([
      expect.objectContaining({
        version: '1',
        safety: expect.objectContaining({ safety: 'safe' }),
      }),
    ]);
  });

  it("shows the fraud-scorer entity's pods, Running and Ready, through the Kubernetes plugin", async () => {
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    };
    const entity = await eventually(async () => {
      const res = await fetch(
        `${backend.baseUrl}/api/catalog/entities/by-name/component/default/fraud-scorer`,
        { headers },
      );
      return res.ok ? res.json() : undefined;
    }, 'fraud-scorer in the catalog');
    // What the entity's Kubernetes tab asks for (@backstage/plugin-kubernetes).
    const res = await fetch(
      `${backend.baseUrl}/api/kubernetes/services/fraud-scorer`,
      { method: 'POST', headers, body: JSON.stringify({ entity }) },
    );
    expect(res.status).toBe(200);
    const { items } = await res.json();
    const local = items.find((i: any) => i.cluster.name === 'local');
    expect(local.errors).toEqual([]);
    const ofType = (type: string) =>
      local.resources.find((r: any) => r.type === type)?.resources ?? [];

    // The seed runs v5 and v6 with 2 replicas each in ml-prod, v6 with 1 in
    // ml-staging; the controllers and kwok make and run their pods.
    const pods = ofType('pods');
    const count = (where: string) =>
      pods.filter(
        (p: any) =>
          `${p.metadata.namespace}/${p.metadata.labels['ml-platform.io/model-version']}` ===
          where,
      ).length;
    expect(pods).toHaveLength(5);
    expect([
      count('ml-prod/5'),
      count('ml-prod/6'),
      count('ml-staging/6'),
    ]).toEqual([2, 2, 1]);
    for (const pod of pods) {
      expect(pod.status.phase).toBe('Running');
      expect(
        pod.status.conditions.find((c: any) => c.type === 'Ready').status,
      ).toBe('True');
    }
    for (const deployment of ofType('deployments')) {
      expect(deployment.status.readyReplicas).toBe(deployment.spec.replicas);
    }
  });

  // The portal's policy (MlPortalPermissionPolicy): a model's owners may
  // change its traffic. The guest is a member of fraud-ml, which owns
  // fraud-scorer (fraud-detector), not product-ranker (recsys-ml).
  // The sign-in resolves the guest's teams from the catalog; a token issued
  // before the catalog read org.yaml names only the user.
  let memberToken: string | undefined;
  const rollout = async (body: object) => {
    memberToken ??= await eventually(async () => {
      const res = await fetch(
        `${backend.baseUrl}/api/catalog/entities/by-name/user/default/guest`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      return res.ok ? backend.signInAsGuest() : undefined;
    }, 'the guest user in the catalog');
    const res = await fetch(`${backend.baseUrl}/api/ml-platform/rollouts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${memberToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const prodRouter = async (model: string) => {
    const { body } = await get(`/models/${model}`);
    const router = body.deployments.find(
      (d: any) => d.namespace === 'ml-prod',
    ).router;
    const plural = router.kind === 'Rollout' ? 'rollouts' : 'httproutes';
    const res = await kubeRequest(
      'GET',
      `/apis/${router.apiVersion}/namespaces/ml-prod/${plural}/${router.name}`,
    );
    return res.body;
  };

  it("lets the guest change the traffic of their team's model", async () => {
    // The split as it is, written again: allowed, and no weight changes, so
    // the demo's data stays as seeded.
    const before = await prodRouter('fraud-detector');
    const weights = Object.fromEntries(
      (await get('/models/fraud-detector')).body.deployments
        .find((d: any) => d.namespace === 'ml-prod')
        .versions.map((v: any) => [v.version, v.weight]),
    );
    const res = await rollout({
      model: 'fraud-detector',
      cluster: 'local',
      namespace: 'ml-prod',
      strategy: 'split',
      weights,
      expectedResourceVersion: before.metadata.resourceVersion,
    });
    expect(res.status).toBe(200);
    expect(res.body.after).toEqual(res.body.before);
    const after = await prodRouter('fraud-detector');
    expect(after.spec.rules).toEqual(before.spec.rules);
    const { body: trail } = await get('/models/fraud-detector/rollouts');
    expect(trail.items[0]).toMatchObject({
      id: res.body.auditId,
      actor: 'user:default/guest',
      result: 'succeeded',
    });
  });

  it("denies the guest another team's model, records it, and changes nothing", async () => {
    const before = await prodRouter('product-ranker');
    const res = await rollout({
      model: 'product-ranker',
      cluster: 'local',
      namespace: 'ml-prod',
      strategy: 'promote',
      target: { version: '4' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(res.body.error.message).toContain(
      'component:default/product-ranker',
    );
    const after = await prodRouter('product-ranker');
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    const { body: trail } = await get('/models/product-ranker/rollouts');
    expect(trail.items[0]).toMatchObject({
      actor: 'user:default/guest',
      model: 'product-ranker',
      strategy: 'promote',
      result: 'refused',
      error: res.body.error.message,
    });
  });
});
