import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPlatformFile } from 'platform-tests';
import yaml from 'yaml';
import { startPortalOnPlatform } from './__testUtils__/portalBackend';
import {
  TEMPLATES_DIR,
  dryRunTemplate,
  writeFiles,
} from './__testUtils__/renderTemplate';
import { PYFUNC_PREDICT, mlflowPython } from './__testUtils__/mlflowVenv';
import {
  cachedVenv,
  installInto,
  run,
  runToExit,
  startUvicorn,
} from './__testUtils__/python';
import {
  acceptedByApiserver,
  parseManifests,
} from './__testUtils__/kubeDryRun';
import { validateCatalogInfo } from './__testUtils__/validateEntities';
import type { BackendProcess } from '../testing/startBackendProcess';

// The model service template run through the real scaffolder backend's dry
// run, with the real model check against the local MLflow (through the ML
// Platform backend) and the real apiserver validating the manifests; then the
// generated service itself, built and run the way its Dockerfile does, against
// the same MLflow.

jest.setTimeout(600_000);

const values = (overrides: Record<string, unknown> = {}) => ({
  name: 'fraud-scorer-next',
  description: 'Scores card transactions, ONNX.',
  owner: 'group:default/fraud-ml',
  system: 'system:default/fraud-detection',
  modelVersion: { model: 'fraud-detector', version: '6' },
  cluster: 'local',
  namespace: 'ml-staging',
  router: 'gateway-api',
  gateway: 'ml-gateway',
  replicas: 2,
  cpu: '500m',
  memory: '512Mi',
  imageRepository: 'registry.example.com/ml',
  applyToCluster: false,
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
    expect(files.get('Dockerfile')).toContain('ARG MODEL_VERSION=6');
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
        owner: 'group:default/recsys-ml',
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
      /unsafe.*pickle|pickle.*unsafe/is,
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
      const arg = (n: string) =>
        new RegExp(`^ARG ${n}=(.+)$`, 'm').exec(dockerfile)![1];
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
      installInto(
        built.venv,
        path.join(built.dir, 'model', 'model-requirements.txt'),
      );
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
      // The model's own pins, MLflow itself left out.
      expect(
        fs.readFileSync(
          path.join(built.dir, 'model/model-requirements.txt'),
          'utf8',
        ),
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
      expect(pytest.stdout).toMatch(/\d+ passed/);
      expect(pytest.status).toBe(0);
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
