import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REAL_NODE,
  buildServiceImage,
  gatewayRequest,
  kubeRequest,
  readPlatformFile,
  createServingNamespace,
} from 'platform-tests';
import { startPortalOnPlatform } from './__testUtils__/portalBackend';
import { dryRunTemplate, writeFiles } from './__testUtils__/renderTemplate';
import { PYFUNC_PREDICT, mlflowPython } from './__testUtils__/mlflowVenv';
import { run } from './__testUtils__/python';
import { parseManifests, serverSideApply } from './__testUtils__/kubeDryRun';
import type { BackendProcess } from '../testing/startBackendProcess';

// The model service template's output is real: rendered by the real
// scaffolder, built into an image by the platform's builder (buildah, the
// Dockerfile as generated), run as pods on the local platform's real node,
// and answering through the gateway what MLflow itself predicts.

jest.setTimeout(1_200_000);

const id = randomUUID().slice(0, 6);
const namespace = `test-serving-${id}`;
const name = `fraud-real-${id}`;
const hostname = `${namespace}.ml.example.com`;
const REGISTRY = 'registry.ml-platform.local/ml';

describe('the generated model service on the real node', () => {
  let backend: BackendProcess;
  let token: string;
  let workDir: string;
  const mlflow = readPlatformFile('mlflow');

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-serving-'));
    ({ backend, token } = await startPortalOnPlatform());
    await createServingNamespace(namespace);
  });

  afterAll(async () => {
    await kubeRequest('DELETE', `/api/v1/namespaces/${namespace}`);
    await backend?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const render = async (version: string) => {
    const { status, files, body } = await dryRunTemplate({
      baseUrl: backend.baseUrl,
      token,
      template: 'model-service',
      values: {
        name,
        description: 'Scores card transactions, ONNX.',
        owner: 'group:default/fraud-ml',
        system: 'system:default/fraud-detection',
        modelVersion: { model: 'fraud-detector', version },
        cluster: 'local',
        namespace,
        router: 'gateway-api',
        gateway: 'ml-gateway',
        replicas: 1,
        cpu: '100m',
        memory: '512Mi',
        imageRepository: REGISTRY,
        applyToCluster: false,
      },
    });
    expect({ status, error: body.error }).toEqual({ status: 200 });
    return files;
  };

  it('builds fraud-detector v6 into an image that runs on the real node and predicts through the gateway what MLflow predicts', async () => {
    const files = await render('6');
    const dir = path.join(workDir, 'v6');
    writeFiles(dir, files);
    const image = await buildServiceImage(dir, name, 'v6');
    const objects = parseManifests([
      files.get('manifests/deployment.yaml')!,
      files.get('manifests/services.yaml')!,
      files.get('manifests/traffic.yaml')!,
    ]);
    // The manifests name the image the builder pushed.
    expect(objects[0].spec.template.spec.containers[0].image).toBe(image);

    // A Gateway of the namespace on the platform's gateway, for this
    // namespace's host only; the template's HTTPRoute attaches to it.
    const gateway = readPlatformFile('gateway');
    const applied = await serverSideApply(
      [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'ml-gateway', namespace },
          spec: {
            gatewayClassName: 'ml-platform-demo',
            listeners: [
              {
                name: 'http',
                protocol: 'HTTP',
                port: gateway.port,
                hostname,
                allowedRoutes: { namespaces: { from: 'Same' } },
              },
            ],
          },
        },
        ...objects,
      ],
      { dryRun: false },
    );
    expect(applied.map(r => [r.ref, r.status < 300])).toEqual(
      applied.map(r => [r.ref, true]),
    );

    const pod = await waitForReadyPod(`app.kubernetes.io/name=${name}`);
    expect(pod.spec.nodeName).toBe(REAL_NODE.name);
    expect(pod.spec.containers[0].image).toBe(image);
    expect(pod.status.containerStatuses[0].imageID).toMatch(/@sha256:/);

    // amount, hour, merchant_risk, distance_km, card_age_days, tx_last_24h
    const rows = [
      [120, 3, 0.9, 40, 100, 5],
      [12.5, 14, 0.1, 2, 2500, 1],
    ];
    const res = await eventuallyAnswered(() =>
      gatewayRequest(hostname, 'POST', '/predict', { inputs: rows }),
    );
    expect(res.status).toBe(200);
    expect(res.headers['x-model-version']).toBe('6');
    const expected = JSON.parse(
      run(
        mlflowPython(),
        [PYFUNC_PREDICT, 'fraud-detector', '6', JSON.stringify(rows)],
        {
          env: {
            MLFLOW_TRACKING_URI: mlflow.url,
            MLFLOW_TRACKING_USERNAME: mlflow.username,
            MLFLOW_TRACKING_PASSWORD: mlflow.password,
          },
        },
      ),
    );
    expect(res.body.predictions.label).toEqual(expected.label);
    res.body.predictions.probabilities
      .flat()
      .forEach((p: number, i: number) =>
        expect(p).toBeCloseTo(expected.probabilities.flat()[i], 6),
      );
  });

  it('fails the image build of a version that unpickles, with the loader’s reason', async () => {
    // The template refuses such a version in its form; a repository whose
    // Dockerfile was edited to pin it is refused again by the build.
    const files = await render('6');
    const dir = path.join(workDir, 'v2');
    writeFiles(dir, files);
    const dockerfile = path.join(dir, 'Dockerfile');
    const pinned = fs.readFileSync(dockerfile, 'utf8');
    const edited = pinned.replaceAll('MODEL_VERSION="6"', 'MODEL_VERSION="2"');
    // The build argument and the image's environment both name it.
    expect(edited.match(/MODEL_VERSION="2"/g)).toHaveLength(2);
    fs.writeFileSync(dockerfile, edited);
    await expect(buildServiceImage(dir, name, 'v2')).rejects.toThrow(
      /^refusing models:\/fraud-detector\/2: the sklearn flavor is stored with pickle, which unpickles on load/,
    );
  });
});

async function waitForReadyPod(
  selector: string,
  timeoutMs = 600_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await kubeRequest(
      'GET',
      `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(
        selector,
      )}`,
    );
    last = res.body.items?.[0];
    const ready = last?.status?.conditions?.find(
      (c: any) => c.type === 'Ready',
    );
    if (ready?.status === 'True') return last;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `no Ready pod for ${selector}: ${JSON.stringify(last?.status)}`,
  );
}

/**
 * The gateway answers 404 until Traefik has loaded the new route, and 503
 * until it has the Ready pod among the Service's endpoints.
 */
async function eventuallyAnswered<T extends { status: number }>(
  send: () => Promise<T>,
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await send();
    if (![404, 503].includes(res.status) || Date.now() > deadline) return res;
    await new Promise(r => setTimeout(r, 500));
  }
}
