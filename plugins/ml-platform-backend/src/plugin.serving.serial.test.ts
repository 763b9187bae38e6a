import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  countAnswersByVersion,
  localClusterConfig,
  readPlatformFile,
} from 'platform-tests';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';
import {
  kubeOk,
  waitForKube,
} from './services/Rollouts/__testUtils__/localKube';

/*
 * Rollouts from the portal's API move real traffic: the plugin's routes write
 * the demo's HTTPRoute and Rollout in ml-prod, Traefik (the local platform's
 * Gateway API implementation) and the Argo Rollouts controller act on them,
 * and requests sent through the gateway are counted by the model version
 * that answered (X-Model-Version). Serial: it changes the demo's traffic,
 * which other suites read; it puts the seeded state back at the end.
 */

jest.setTimeout(900_000);

const REQUESTS = 1000;
// The share of 1,000 requests is a binomial draw: ±4 points is about three
// standard deviations at 20 %.
const TOLERANCE = 4;
const FRAUD_HOST = 'fraud-scorer.ml-prod.ml.example.com';
const RANKER_HOST = 'product-ranker.ml-prod.ml.example.com';
// A transaction: the fraud model's six features, in its column order.
const FRAUD_PREDICT = {
  method: 'POST',
  path: '/predict',
  body: { inputs: [[120.5, 3, 0.8, 42.0, 30, 6]] },
};
const RANKER_PREDICT = {
  method: 'POST',
  path: '/predict',
  body: { inputs: [[25.0, 0.7, 0.9, 10, 20]] },
};

const entity = (name: string, model: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'ml-platform.io/registered-model': model },
  },
  spec: { type: 'model-service', lifecycle: 'production', owner },
});

let server: Parameters<typeof request>[0];
const api = '/api/ml-platform';

const rollout = async (body: object) => {
  const res = await request(server)
    .post(`${api}/rollouts`)
    .send({ cluster: 'local', namespace: 'ml-prod', ...body });
  if (res.status !== 200) {
    throw new Error(
      `rollout ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(
        res.body,
      )}`,
    );
  }
  return res.body;
};

const share = (counts: Record<string, number>, version: string) =>
  (100 * (counts[version] ?? 0)) / REQUESTS;

const route = () =>
  kubeOk(
    'GET',
    '/apis/gateway.networking.k8s.io/v1/namespaces/ml-prod/httproutes/fraud-scorer',
  );
const argoRollout = () =>
  kubeOk(
    'GET',
    '/apis/argoproj.io/v1alpha1/namespaces/ml-prod/rollouts/product-ranker',
  );

/** Polls until check() returns a value, or fails with what it last saw. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 180_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: timed out (${last ?? 'never true'})`);
    await new Promise(r => setTimeout(r, 500));
  }
}

/**
 * Waits until Traefik has taken the route's current generation (its own
 * status says so), then the few hundred milliseconds its providers throttle
 * a reload.
 */
async function untilGatewayServes(routeObject: any) {
  const generation = routeObject.metadata.generation;
  await until(
    `Traefik accepting generation ${generation} of the route`,
    async () => {
      const current = await route();
      const parent = (current.status?.parents ?? []).find(
        (p: any) => p.controllerName === 'traefik.io/gateway-controller',
      );
      const accepted = parent?.conditions?.find(
        (c: any) => c.type === 'Accepted',
      );
      return accepted?.status === 'True' &&
        accepted.observedGeneration >= generation
        ? true
        : undefined;
    },
  );
  await new Promise(r => setTimeout(r, 2_000));
}

/** The controller's own status, once it has seen the Rollout's latest spec. */
async function untilRollout(
  what: string,
  check: (status: any, spec: any) => boolean,
) {
  return until(`the Rollout ${what}`, async () => {
    const r = await argoRollout();
    const st = r.status ?? {};
    const seen =
      String(st.observedGeneration) === String(r.metadata.generation);
    return seen && check(st, r.spec) ? r : undefined;
  });
}

/** Waits until the portal shows the model's deployment in ml-prod with its router. */
const untilPortalShows = (model: string) =>
  until(`the portal showing ${model} in ml-prod`, async () => {
    const res = await request(server).get(`${api}/models/${model}`);
    return res.body.deployments?.some(
      (d: any) => d.namespace === 'ml-prod' && d.router,
    )
      ? true
      : undefined;
  });

beforeAll(async () => {
  await waitForKube();
  const mlflow = readPlatformFile('mlflow');
  ({ server } = await startTestBackend({
    features: [
      mlPlatformPlugin,
      // Allowed on every model, conditional decisions included: who may
      // roll out is the security suite's; this one counts the traffic.
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({
        entities: [
          entity('fraud-scorer', 'fraud-detector', 'group:default/fraud-ml'),
          entity('product-ranker', 'product-ranker', 'group:default/recsys-ml'),
        ],
      }),
      mockServices.rootConfig.factory({
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
                  auth: {
                    username: mlflow.username,
                    password: mlflow.password,
                  },
                },
              ],
            },
          },
        },
      }),
    ],
  }));
  await Promise.all(['fraud-detector', 'product-ranker'].map(untilPortalShows));
});

afterAll(async () => {
  // The demo's state as seeded: the split of the route, the Rollout paused at
  // its first pause (the seed makes it anew through the controller).
  await promisify(execFile)(
    // Tests run from source, so __dirname is this folder.
    // eslint-disable-next-line no-restricted-syntax
    path.resolve(__dirname, '../../../scripts/platform/kube.sh'),
    ['seed'],
    { timeout: 600_000 },
  );
});

describe('traffic through the gateway follows the rollouts the portal makes', () => {
  it('sends 20 % of 1,000 requests to v6 after a canary of 20 %, and its old share after the rollback', async () => {
    await untilGatewayServes(await route());
    const seeded = await countAnswersByVersion(
      FRAUD_HOST,
      REQUESTS,
      FRAUD_PREDICT,
    );
    const seededShare = share(seeded, '6');
    // The seed's split is 90/10.
    expect(Math.abs(seededShare - 10)).toBeLessThanOrEqual(TOLERANCE);

    const canary = await rollout({
      model: 'fraud-detector',
      strategy: 'canary',
      target: { version: '6', percent: 20 },
    });
    expect(canary.after.versions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: '6', percent: 20 }),
      ]),
    );
    await untilGatewayServes(await route());
    const duringCanary = await countAnswersByVersion(
      FRAUD_HOST,
      REQUESTS,
      FRAUD_PREDICT,
    );
    expect(Object.keys(duringCanary).sort()).toEqual(['5', '6']);
    expect(Math.abs(share(duringCanary, '6') - 20)).toBeLessThanOrEqual(
      TOLERANCE,
    );

    await rollout({ model: 'fraud-detector', strategy: 'rollback' });
    await untilGatewayServes(await route());
    const afterRollback = await countAnswersByVersion(
      FRAUD_HOST,
      REQUESTS,
      FRAUD_PREDICT,
    );
    expect(Math.abs(share(afterRollback, '6') - 10)).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });

  it("promotes product-ranker's Rollout step by step to 100 % with the controller, aborts to stable and undoes to the previous template", async () => {
    // Seeded: stable v3, canary v4 paused at step 1 (setWeight 20).
    const seeded = await untilRollout(
      'paused at its first pause',
      st => st.phase === 'Paused',
    );
    expect(seeded.status.currentStepIndex).toBe(1);
    expect(seeded.status.canary.weights.canary.weight).toBe(20);

    await rollout({
      model: 'product-ranker',
      strategy: 'promote',
      target: { version: '4' },
      nextStepOnly: true,
    });
    // setWeight 50, then the pause of 10 minutes.
    const half = await untilRollout(
      'at 50 %',
      // The weight the status reports may follow the step index by a reconcile.
      st =>
        st.currentStepIndex === 3 &&
        st.phase === 'Paused' &&
        st.canary?.weights?.canary?.weight === 50,
    );
    expect(half.status.canary.weights.canary.weight).toBe(50);
    const atHalf = await countAnswersByVersion(
      RANKER_HOST,
      REQUESTS,
      RANKER_PREDICT,
    );
    expect(Math.abs(share(atHalf, '4') - 50)).toBeLessThanOrEqual(
      TOLERANCE + 1,
    );

    await rollout({
      model: 'product-ranker',
      strategy: 'promote',
      target: { version: '4' },
      nextStepOnly: true,
    });
    const done = await untilRollout(
      'promoted',
      st => st.phase === 'Healthy' && st.stableRS === st.currentPodHash,
    );
    expect(done.status.currentStepIndex).toBe(
      done.spec.strategy.canary.steps.length,
    );
    // The stable Service's selector and its endpoints follow the new stable
    // ReplicaSet a moment after the status says so.
    await until(
      'all traffic on the promoted v4',
      async () => {
        const counts = await countAnswersByVersion(
          RANKER_HOST,
          200,
          RANKER_PREDICT,
        );
        return counts['4'] === 200 ? counts : undefined;
      },
      60_000,
    );
    const promotedTemplate = done.spec.template;

    // Back to v3: the portal undoes to the previous revision's template, and
    // the controller canaries it.
    await rollout({
      model: 'product-ranker',
      strategy: 'promote',
      target: { version: '3' },
    });
    const undone = await untilRollout(
      'canarying v3',
      st => st.phase === 'Paused' && st.currentStepIndex === 1,
    );
    expect(
      undone.spec.template.metadata.labels['ml-platform.io/model-version'],
    ).toBe('3');
    expect(
      undone.spec.template.metadata.labels['rollouts-pod-template-hash'],
    ).toBeUndefined();
    expect(undone.spec.template.spec).not.toEqual(promotedTemplate.spec);

    await rollout({ model: 'product-ranker', strategy: 'abort' });
    await untilRollout(
      'aborted',
      st => st.abort === true && st.canary?.weights?.canary?.weight === 0,
    );
    await until(
      'all traffic back on the stable v4',
      async () => {
        const counts = await countAnswersByVersion(
          RANKER_HOST,
          200,
          RANKER_PREDICT,
        );
        return counts['4'] === 200 ? counts : undefined;
      },
      30_000,
    );
  });
});
