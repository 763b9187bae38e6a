import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLATFORM_STATE_DIR, readPlatformFile } from 'platform-tests';
import yaml from 'yaml';
import { MODEL_SERVICE_FORM } from './__testUtils__/formValues';
import { startPortalOnPlatform } from './__testUtils__/portalBackend';
import {
  TEMPLATES_DIR,
  dryRunTemplate,
  writeFiles,
} from './__testUtils__/renderTemplate';
import { PYFUNC_PREDICT, mlflowPython } from './__testUtils__/mlflowVenv';
import {
  cachedVenv,
  run,
  runToExit,
  startUvicorn,
} from './__testUtils__/python';
import {
  acceptedByApiserver,
  parseManifests,
} from './__testUtils__/kubeDryRun';
import { validateCatalogInfo } from './__testUtils__/validateEntities';
import {
  type BackendProcess,
  eventually,
} from '../testing/startBackendProcess';

// The model service template run through the real scaffolder backend's dry
// run, with the real model check against the local MLflow (through the ML
// Platform backend) and the real apiserver validating the manifests; then the
// generated service itself, built and run the way its Dockerfile does, against
// the same MLflow.

jest.setTimeout(600_000);

// eslint-disable-next-line no-restricted-syntax
const REPO = path.resolve(__dirname, '../../../..');

const values = (overrides: Record<string, unknown> = {}) => ({
  ...MODEL_SERVICE_FORM,
  ...overrides,
});

describe('the model service template, dry run', () => {
  let backend: BackendProcess;
  let token: string;
  const dryRun = (v: Record<string, unknown>) =>
    dryRunTemplate({
      baseUrl: backend.baseUrl,
      token,
      template: 'model-service',
      values: v,
    });

  beforeAll(async () => {
    ({ backend, token } = await startPortalOnPlatform());
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('renders an ONNX model service behind an HTTPRoute, its manifests accepted by the apiserver', async () => {
    const { status, files, body } = await dryRun(
      values({ applyToCluster: true }),
    );
    expect({ status, error: body.error }).toEqual({ status: 200 });

    expect([...files.keys()].sort()).toEqual(
      expect.arrayContaining([
        'catalog-info.yaml',
        'Dockerfile',
        'README.md',
        'fetch_model.py',
        'app/loader.py',
        'app/main.py',
        'requirements.txt',
        'manifests/deployment.yaml',
        'manifests/services.yaml',
        'manifests/traffic.yaml',
        '.github/workflows/ci.yaml',
        '.gitlab-ci.yml',
      ]),
    );
    expect([...files.keys()].some(f => f.startsWith('template.yaml'))).toBe(
      false,
    );

    const [component] = await validateCatalogInfo(files);
    expect(component).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'fraud-scorer-next',
        annotations: {
          'ml-platform.io/registered-model': 'fraud-detector',
          'backstage.io/kubernetes-id': 'fraud-scorer-next',
        },
        tags: ['model', 'onnx'],
      },
      spec: {
        type: 'model-service',
        owner: 'group:default/fraud-ml',
        system: 'system:default/fraud-detection',
      },
    });

    const objects = parseManifests([
      files.get('manifests/deployment.yaml')!,
      files.get('manifests/services.yaml')!,
      files.get('manifests/traffic.yaml')!,
    ]);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/fraud-scorer-next-v6',
      'Service/fraud-scorer-next-v6',
      'Service/fraud-scorer-next',
      'HTTPRoute/fraud-scorer-next',
    ]);
    const [deployment, , , route] = objects;
    // The labels the ML Platform backend finds deployments by.
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'fraud-scorer-next',
      'app.kubernetes.io/component': 'model-service',
      'ml-platform.io/model': 'fraud-detector',
      'ml-platform.io/model-version': '6',
      'backstage.io/kubernetes-id': 'fraud-scorer-next',
    });
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container).toMatchObject({
      image: 'registry.example.com/ml/fraud-scorer-next:v6',
      resources: { requests: { cpu: '500m', memory: '512Mi' } },
      readinessProbe: { httpGet: { path: '/readyz' } },
      livenessProbe: { httpGet: { path: '/healthz' } },
    });
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(
      true,
    );
    expect(route.spec.rules[0].backendRefs).toEqual([
      {
        group: '',
        kind: 'Service',
        name: 'fraud-scorer-next-v6',
        port: 8080,
        weight: 100,
      },
    ]);
    expect(files.get('Dockerfile')).toContain('ARG MODEL_VERSION="6"');
    expect(files.get('Dockerfile')).toMatch(/^USER 10001$/m);
    // GitHub's own expressions survive the rendering.
    expect(files.get('.github/workflows/ci.yaml')).toContain(
      '${{ secrets.MLFLOW_TRACKING_URI }}',
    );
    expect(
      yaml.parse(files.get('.github/workflows/ci.yaml')!).jobs.image.steps[3]
        .with.tags,
    ).toBe('registry.example.com/ml/fraud-scorer-next:v6');

    // The apply step ran as a dry run: validated by the apiserver.
    expect(body.output.text).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          title: 'Deployed',
          content: expect.stringContaining(
            'Applied 4 objects to local/ml-staging',
          ),
        }),
      ]),
    );
    expect(await acceptedByApiserver(objects)).toEqual(
      objects.map(o => [o.kind, 'accepted']),
    );
  });

  it('renders a skops model service with an Argo Rollout, accepted by the apiserver', async () => {
    const { status, files, body } = await dryRun(
      values({
        name: 'ranker-next',
        system: 'system:default/recommendations',
        modelVersion: { model: 'product-ranker', version: '4' },
        router: 'argo-rollouts',
        replicas: 3,
        cpu: '1',
        memory: '1Gi',
      }),
    );
    expect({ status, error: body.error }).toEqual({ status: 200 });
    const objects = parseManifests([
      files.get('manifests/deployment.yaml')!,
      files.get('manifests/services.yaml')!,
      files.get('manifests/traffic.yaml')!,
    ]);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/ranker-next-v4',
      'Service/ranker-next-v4',
      'Service/ranker-next',
      'Rollout/ranker-next',
    ]);
    const rollout = objects[3];
    expect(rollout.spec).toMatchObject({
      replicas: 3,
      workloadRef: { kind: 'Deployment', name: 'ranker-next-v4' },
      strategy: {
        canary: { steps: expect.arrayContaining([{ setWeight: 20 }]) },
      },
    });
    expect(rollout.metadata.labels['ml-platform.io/model']).toBe(
      'product-ranker',
    );
    const [component] = await validateCatalogInfo(files);
    expect(component.metadata.tags).toEqual(['model', 'skops']);
    expect(await acceptedByApiserver(objects)).toEqual(
      objects.map(o => [o.kind, 'accepted']),
    );
  });

  it('finds every action both templates use registered, the SCM publish actions included', async () => {
    const used = ['model-service', 'processing-service'].flatMap(dir =>
      yaml
        .parse(
          fs.readFileSync(
            path.join(TEMPLATES_DIR, dir, 'template.yaml'),
            'utf8',
          ),
        )
        .spec.steps.map((s: { action: string }) => s.action),
    );
    expect(used).toEqual(
      expect.arrayContaining(['publish:github', 'publish:gitlab']),
    );
    const res = await fetch(`${backend.baseUrl}/api/scaffolder/v2/actions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const registered = (await res.json()).map((a: { id: string }) => a.id);
    expect(registered).toEqual(expect.arrayContaining([...new Set(used)]));
  });

  it('refuses a name that is not a DNS-1123 label, before any step runs', async () => {
    const { status, body } = await dryRun(values({ name: 'Fraud_Scorer' }));
    expect(status).toBe(400);
    expect(JSON.stringify(body.errors)).toContain('name');
    expect(JSON.stringify(body.errors)).toMatch(/pattern/);
  });

  it.each([
    [
      'an unknown model',
      { model: 'no-such-model', version: '1' },
      /no-such-model/,
    ],
    [
      'an unknown version',
      { model: 'fraud-detector', version: '99' },
      /version.*99|99.*version/i,
    ],
    [
      'a version that unpickles on load',
      { model: 'fraud-detector', version: '2' },
      /is unsafe to serve: .*Unpickling it imports and calls sklearn\./s,
    ],
  ])('refuses %s with a message naming why', async (_, modelVersion, why) => {
    const { status, body } = await dryRun(values({ modelVersion }));
    expect(status).toBeGreaterThanOrEqual(400);
    expect(body.error?.message).toMatch(why);
  });

  describe('the generated service', () => {
    const mlflow = readPlatformFile('mlflow');
    const mlflowEnv = {
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_TRACKING_USERNAME: mlflow.username,
      MLFLOW_TRACKING_PASSWORD: mlflow.password,
    };
    let workDir: string;

    beforeAll(() => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-service-'));
    });
    afterAll(() => {
      fs.rmSync(workDir, { recursive: true, force: true });
    });

    /** Renders the template for a model version and builds it as the Dockerfile does. */
    async function build(name: string, modelVersion: object) {
      const { status, files, body } = await dryRun(
        values({ name, modelVersion }),
      );
      expect({ status, error: body.error }).toEqual({ status: 200 });
      const dir = path.join(workDir, name);
      writeFiles(dir, files);
      // The version the Dockerfile pins, not the one the test asked for.
      const dockerfile = files.get('Dockerfile')!;
      const arg = (n: string): string =>
        JSON.parse(new RegExp(`^ARG ${n}=(.+)$`, 'm').exec(dockerfile)![1]);
      const venv = cachedVenv(
        'model-service',
        path.join(dir, 'requirements-dev.txt'),
      );
      const fetched = runToExit(
        path.join(venv, 'bin', 'python'),
        [
          'fetch_model.py',
          '--model',
          arg('MODEL_NAME'),
          '--version',
          arg('MODEL_VERSION'),
          '--dest',
          'model',
        ],
        { cwd: dir, env: mlflowEnv },
      );
      return {
        dir,
        venv,
        fetched,
        model: arg('MODEL_NAME'),
        version: arg('MODEL_VERSION'),
      };
    }

    async function predictions(
      built: { dir: string; venv: string; model: string; version: string },
      rows: unknown[],
    ) {
      const service = await startUvicorn({
        venv: built.venv,
        cwd: built.dir,
        env: {
          MODEL_DIR: path.join(built.dir, 'model'),
          MODEL_NAME: built.model,
          MODEL_VERSION: built.version,
        },
      });
      try {
        const res = await fetch(`${service.url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: rows }),
        });
        return { status: res.status, body: await res.json() };
      } finally {
        await service.stop();
      }
    }

    const reference = (model: string, version: string, rows: unknown[]) =>
      JSON.parse(
        run(
          mlflowPython(),
          [PYFUNC_PREDICT, model, version, JSON.stringify(rows)],
          {
            env: mlflowEnv,
          },
        ),
      );

    it('serves fraud-detector v6 (ONNX) and predicts what MLflow predicts', async () => {
      const built = await build('fraud-onnx', {
        model: 'fraud-detector',
        version: '6',
      });
      expect(built.fetched.status).toBe(0);
      expect(built.fetched.stdout).toContain('onnx model');
      // The model's own pins, read and met by the lock, never installed.
      expect(built.fetched.stdout).toContain(
        'its requirements met by requirements.txt',
      );
      expect(
        fs.readFileSync(path.join(built.dir, 'model/requirements.txt'), 'utf8'),
      ).toMatch(/^onnxruntime==/m);

      // amount, hour, merchant_risk, distance_km, card_age_days, tx_last_24h
      const rows = [
        [120, 3, 0.9, 40, 100, 5],
        [12.5, 14, 0.1, 2, 2500, 1],
      ];
      const { status, body } = await predictions(built, rows);
      expect(status).toBe(200);
      const expected = reference('fraud-detector', '6', rows);
      expect(body.model).toBe('fraud-detector');
      expect(body.version).toBe('6');
      expect(body.predictions.label).toEqual(expected.label);
      expect(body.predictions.label).toEqual([1, 0]);
      body.predictions.probabilities
        .flat()
        .forEach((p: number, i: number) =>
          expect(p).toBeCloseTo(expected.probabilities.flat()[i], 6),
        );
    });

    it('serves product-ranker v4 (skops) and predicts what MLflow predicts', async () => {
      const built = await build('ranker-skops', {
        model: 'product-ranker',
        version: '4',
      });
      expect(built.fetched.status).toBe(0);
      expect(built.fetched.stdout).toContain('skops model');
      const rows = [
        {
          price: 20,
          popularity: 0.5,
          user_affinity: 0.9,
          days_since_launch: 10,
          discount_pct: 5,
        },
        {
          price: 80,
          popularity: 0.1,
          user_affinity: 0.2,
          days_since_launch: 300,
          discount_pct: 0,
        },
      ];
      const { status, body } = await predictions(built, rows);
      expect(status).toBe(200);
      const expected: number[] = reference('product-ranker', '4', rows);
      expect(body.predictions).toHaveLength(2);
      body.predictions.forEach((p: number, i: number) =>
        expect(p).toBeCloseTo(expected[i], 9),
      );
      // Its own tests pass too.
      const pytest = runToExit(
        path.join(built.venv, 'bin', 'python'),
        ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
        { cwd: built.dir },
      );
      // On a failure, pytest's last lines say which test and why.
      expect(pytest.status === 0 ? 'ok' : pytest.stdout.slice(-3000)).toBe(
        'ok',
      );
      expect(pytest.stdout).toMatch(/\d+ passed/);
    });

    it('serves churn-predictor v2 (native XGBoost, no pickle) and predicts what MLflow predicts', async () => {
      const built = await build('churn-xgboost', {
        model: 'churn-predictor',
        version: '2',
      });
      expect(built.fetched.status).toBe(0);
      expect(built.fetched.stdout).toContain('xgboost model');
      const rows = [
        {
          tenure_months: 3,
          monthly_charges: 110,
          support_tickets_90d: 4,
          logins_30d: 1,
          premium_plan: 0,
        },
        {
          tenure_months: 60,
          monthly_charges: 20,
          support_tickets_90d: 0,
          logins_30d: 30,
          premium_plan: 1,
        },
      ];
      const { status, body } = await predictions(built, rows);
      expect({ status, body }).toMatchObject({ status: 200 });
      expect(body.predictions).toEqual(reference('churn-predictor', '2', rows));
    });

    describe('formats only the corpus has', () => {
      // LightGBM's native Booster and safetensors weights with the network
      // their MLmodel describes, logged by the corpus script (idempotent).
      let corpusPython: string;
      const versionOf: Record<string, string> = {};
      beforeAll(async () => {
        corpusPython = run(path.join(REPO, 'scripts/corpus/corpus-venv.sh'), [])
          .trim()
          .split('\n')
          .pop()!;
        run(
          corpusPython,
          [
            path.join(REPO, 'scripts/corpus/build_corpus.py'),
            '--out',
            path.join(PLATFORM_STATE_DIR, 'corpus'),
            '--only',
            'lightgbm-native',
            'safetensors-mlp',
          ],
          { env: { ...mlflowEnv, PYTHONWARNINGS: 'ignore' } },
        );
        const corpus = JSON.parse(
          fs.readFileSync(
            path.join(PLATFORM_STATE_DIR, 'corpus', 'corpus.json'),
            'utf8',
          ),
        );
        for (const c of corpus.cases) versionOf[c.model] = c.version;
        // The backend read MLflow before these were logged: until its next
        // scheduled read, only a refresh shows them.
        const auth = { authorization: `Bearer ${token}` };
        await eventually(async () => {
          await fetch(`${backend.baseUrl}/api/ml-platform/refresh`, {
            method: 'POST',
            headers: auth,
          });
          const listed = await Promise.all(
            Object.keys(versionOf).map(model =>
              fetch(`${backend.baseUrl}/api/ml-platform/models/${model}`, {
                headers: auth,
              }),
            ),
          );
          return listed.every(res => res.ok) ? true : undefined;
        }, "the corpus's models in the backend's listing");
      }, 600_000);

      it('serves a native LightGBM booster and predicts what MLflow predicts', async () => {
        const model = 'corpus-lightgbm-native';
        const built = await build('lgbm-native', {
          model,
          version: versionOf[model],
        });
        // On a failure, fetch_model.py's last lines say why.
        expect(
          built.fetched.status === 0 ? 'ok' : built.fetched.stderr.slice(-3000),
        ).toBe('ok');
        expect(built.fetched.stdout).toContain('lightgbm model');
        const rows = [
          [0.5, -1, 2, 0.1],
          [-2, 0.3, 0, 1],
        ];
        const { status, body } = await predictions(built, rows);
        expect(status).toBe(200);
        const expected: number[] = JSON.parse(
          run(
            corpusPython,
            [PYFUNC_PREDICT, model, versionOf[model], JSON.stringify(rows)],
            { env: mlflowEnv },
          ),
        );
        body.predictions.forEach((p: number, i: number) =>
          expect(p).toBeCloseTo(expected[i], 9),
        );
      });

      it('serves the safetensors network the MLmodel describes', async () => {
        const model = 'corpus-safetensors-mlp';
        const built = await build('safetensors-mlp', {
          model,
          version: versionOf[model],
        });
        expect(built.fetched.status).toBe(0);
        expect(built.fetched.stdout).toContain('safetensors model');
        const rows = [
          [1, 2, 3, 4],
          [-1, -2, 0.5, 0],
        ];
        const { status, body } = await predictions(built, rows);
        expect(status).toBe(200);
        // The corpus's weights: layer 0 all ones (3x4), relu, layer 2 ones (1x3).
        const expected = rows.map(r => [
          3 *
            Math.max(
              0,
              r.reduce((a, b) => a + b, 0),
            ),
        ]);
        expect(body.predictions).toEqual(expected);
      });
    });

    it('refuses a pickled model at build and again at start', async () => {
      const built = await build('fraud-pickle', {
        model: 'fraud-detector',
        version: '5',
      });
      // fraud-detector v2 is sklearn pickle: the template refuses it, and so
      // does fetch_model.py if the Dockerfile is edited to pin it.
      const refused = runToExit(
        path.join(built.venv, 'bin', 'python'),
        [
          'fetch_model.py',
          '--model',
          'fraud-detector',
          '--version',
          '2',
          '--dest',
          'pickled',
        ],
        { cwd: built.dir, env: mlflowEnv },
      );
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain(
        'refusing models:/fraud-detector/2: the sklearn flavor is stored with pickle',
      );
      expect(fs.existsSync(path.join(built.dir, 'pickled'))).toBe(false);

      // A model directory swapped for a pickled one stops the service at start.
      const res = await fetch(
        `${mlflow.url}/model-versions/get-artifact?name=fraud-detector&version=2&path=MLmodel`,
        {
          headers: {
            authorization: `Basic ${Buffer.from(
              `${mlflow.username}:${mlflow.password}`,
            ).toString('base64')}`,
          },
        },
      );
      expect(res.status).toBe(200);
      const pickled = path.join(built.dir, 'pickled-model');
      fs.mkdirSync(pickled);
      fs.writeFileSync(path.join(pickled, 'MLmodel'), await res.text());
      await expect(
        startUvicorn({
          venv: built.venv,
          cwd: built.dir,
          env: { MODEL_DIR: pickled },
          timeoutMs: 30_000,
        }),
      ).rejects.toThrow(
        /UnsafeModelError: the sklearn flavor is stored with pickle/,
      );
    });
  });
});
