import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { kubeRequest } from './localCluster';
import { readPlatformFile } from './platformEnv';
import { countAnswersByVersion, gatewayRequest } from './localServing';

/**
 * The demo's serving on the local platform is real (scripts/platform/node.sh,
 * registry.sh, gateway.sh, rollouts.sh, prometheus.sh): its pods run on the
 * real node from the images built from the templates, Traefik serves its
 * routes and writes their status, the Argo Rollouts controller writes the
 * Rollout's, Prometheus scrapes every version's metrics, and a request to the
 * pre-processing service goes pre → model → post over the Services.
 */

jest.setTimeout(300_000);

const FRAUD_HOST = 'fraud-scorer.ml-prod.ml.example.com';
const TRANSACTION = {
  amount: 310.0,
  hour: 2,
  merchant_risk: 0.95,
  distance_km: 120.0,
  card_age_days: 12,
  tx_last_24h: 9,
};

async function get(urlPath: string) {
  const res = await kubeRequest('GET', urlPath);
  expect(res.status).toBe(200);
  return res.body;
}

const condition = (o: any, type: string) =>
  o.status?.conditions?.find((c: any) => c.type === type);

describe('serving on the real node', () => {
  it('runs the demo model services on the real node, from the images built from the template', async () => {
    const node = readPlatformFile('node');
    const images = readPlatformFile('images');
    const realNode = await get(`/api/v1/nodes/${node.node}`);
    expect(condition(realNode, 'Ready').status).toBe('True');
    expect(realNode.status.nodeInfo.containerRuntimeVersion).toMatch(
      /^containerd:\/\//,
    );

    const pods = (
      await get(
        '/api/v1/namespaces/ml-prod/pods?labelSelector=app.kubernetes.io%2Fname%3Dfraud-scorer',
      )
    ).items;
    expect(pods.length).toBe(4);
    for (const pod of pods) {
      const version = pod.metadata.labels['ml-platform.io/model-version'];
      expect(pod.spec.nodeName).toBe(node.node);
      expect(condition(pod, 'Ready').status).toBe('True');
      expect(pod.spec.containers[0].image).toBe(
        images.models[`fraud-detector/${version}`],
      );
    }
    // The generated loader serves native XGBoost (churn-predictor v2) and refuses
    // the pickled pyfunc (v3), which gets no image and stays on the fake nodes.
    expect(Object.keys(images.refused)).toEqual(['churn-predictor/3']);
    expect(images.models['churn-predictor/2']).toMatch(
      /\/ml\/churn-predictor:v2-/,
    );
  });

  it('answers through the gateway, each answer naming its version', async () => {
    const counts = await countAnswersByVersion(FRAUD_HOST, 100, {
      method: 'POST',
      path: '/predict',
      body: { inputs: [Object.values(TRANSACTION)] },
    });
    expect(Object.keys(counts).sort()).toEqual(['5', '6']);
  });

  it('has the status of the routes written by Traefik and that of the Rollout by its controller, none by the seed', async () => {
    const route = await get(
      '/apis/gateway.networking.k8s.io/v1/namespaces/ml-prod/httproutes/fraud-scorer',
    );
    expect(route.status.parents.map((p: any) => p.controllerName)).toEqual([
      'traefik.io/gateway-controller',
    ]);
    const accepted = route.status.parents[0].conditions.find(
      (c: any) => c.type === 'Accepted',
    );
    expect(accepted).toMatchObject({
      status: 'True',
      observedGeneration: route.metadata.generation,
    });

    const rollout = await get(
      '/apis/argoproj.io/v1alpha1/namespaces/ml-prod/rollouts/product-ranker',
    );
    const statusWriters = rollout.metadata.managedFields
      .filter((f: any) => f.subresource === 'status')
      .map((f: any) => f.manager);
    expect(statusWriters).not.toContain('argo-rollouts');
    expect(statusWriters).not.toContain('ml-platform-seed');
    expect(rollout.status).toMatchObject({
      phase: 'Paused',
      currentStepIndex: 1,
    });
    const replicaSets = (
      await get('/apis/apps/v1/namespaces/ml-prod/replicasets')
    ).items.filter(
      (rs: any) => rs.metadata.ownerReferences?.[0]?.kind === 'Rollout',
    );
    const versionOf = (hash: string) =>
      replicaSets.find(
        (rs: any) => rs.metadata.labels['rollouts-pod-template-hash'] === hash,
      )?.metadata.labels['ml-platform.io/model-version'];
    expect([
      versionOf(rollout.status.stableRS),
      versionOf(rollout.status.currentPodHash),
    ]).toEqual(['3', '4']);
    const traefikService = await get(
      '/apis/traefik.io/v1alpha1/namespaces/ml-prod/traefikservices/product-ranker',
    );
    expect(
      traefikService.spec.weighted.services.map((s: any) => [s.name, s.weight]),
    ).toEqual([
      ['product-ranker-stable', 80],
      ['product-ranker-canary', 20],
    ]);
  });

  it("has Prometheus scrape every version's request metrics", async () => {
    const prometheus = readPlatformFile('prometheus');
    await countAnswersByVersion(FRAUD_HOST, 50, {
      method: 'POST',
      path: '/predict',
      body: { inputs: [Object.values(TRANSACTION)] },
    });
    const query = encodeURIComponent(
      'sum by (version) (model_service_requests_total{namespace="ml-prod",model="fraud-detector",route="/predict"})',
    );
    const deadline = Date.now() + 60_000;
    let versions: string[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${query}`);
      const body = await res.json();
      expect(body.status).toBe('success');
      versions = body.data.result
        .filter((r: any) => Number(r.value[1]) > 0)
        .map((r: any) => r.metric.version)
        .sort();
      if (versions.length === 2) break;
      await new Promise(r => setTimeout(r, 2_000));
    }
    expect(versions).toEqual(['5', '6']);
  });

  it('runs the inference chain pre → model → post over the Services, as the catalog relates the services', async () => {
    const res = await gatewayRequest(
      'transaction-features.ml-prod.ml.example.com',
      'POST',
      '/predict',
      {
        records: [TRANSACTION],
      },
    );
    expect(res.status).toBe(200);
    const version = String(res.headers['x-model-version']);
    expect(['5', '6']).toContain(version);
    expect(res.body.chain).toEqual([
      'transaction-features',
      `fraud-detector v${version}`,
      'fraud-decision',
    ]);
    expect(res.body.decisions).toEqual([
      expect.objectContaining({
        decision: expect.stringMatching(/^(approve|review|decline)$/),
      }),
    ]);
    // The score the post-processor decided on is the model's own answer.
    expect(res.body.decisions[0].score).toBeCloseTo(
      res.body.predictions.probabilities[0][1],
      6,
    );

    // What the model's page draws as the inference chain: the components the
    // model service depends on, and those that depend on it, by their tags.
    const catalog = yaml
      .parseAllDocuments(
        // Tests run from source, so __dirname is this folder.
        // eslint-disable-next-line no-restricted-syntax
        fs.readFileSync(
          path.resolve(__dirname, '../../../catalog/models.yaml'),
          'utf8',
        ),
      )
      .map(d => d.toJS());
    const byName = new Map(catalog.map((e: any) => [e.metadata.name, e]));
    const model = byName.get('fraud-scorer');
    const pre = model.spec.dependsOn.map((ref: string) =>
      byName.get(ref.replace(/^component:/, '')),
    );
    const post = catalog.filter((e: any) =>
      e.spec?.dependsOn?.includes('component:fraud-scorer'),
    );
    expect(pre.map((e: any) => [e.metadata.name, e.metadata.tags])).toEqual([
      ['transaction-features', expect.arrayContaining(['preprocessing'])],
    ]);
    expect(post.map((e: any) => [e.metadata.name, e.metadata.tags])).toEqual([
      ['fraud-decision', expect.arrayContaining(['postprocessing'])],
    ]);
    expect(model.metadata.annotations['ml-platform.io/registered-model']).toBe(
      'fraud-detector',
    );
  });
});
