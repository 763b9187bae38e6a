import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
} from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
// A test of the actions against the backend they call, not a runtime import.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import {
  ML_PLATFORM_ANNOTATIONS,
  mlPlatformRolloutPermission,
} from '@mlplatform/plugin-ml-platform-common';
import {
  kubeAdminRequest,
  kubeRequest,
  localClusterConfig,
  mlflowAdminApi,
  readPlatformFile,
} from 'platform-tests';
import { createRolloutApplyAction } from './rolloutApply';
import { createRolloutRollbackAction } from './rolloutRollback';

/*
 * The scaffolder's rollout actions against the real ML Platform backend (its
 * routes, permission checks, engine and audit), which writes to the local
 * apiserver and reads the local MLflow. The models, Services and HTTPRoutes
 * are the test's own, deleted afterwards.
 */

jest.setTimeout(180_000);

const id = randomUUID().slice(0, 8);
const ns = `test-scaffolder-rollout-${id}`;
const ownModel = `test-scaffolder-rollout-${id}-own`;
const othersModel = `test-scaffolder-rollout-${id}-others`;
const TRUSTED = 'url:https://git.example.com/platform/catalog/all.yaml';
const OTHERS_ENTITY = 'component:default/others-scorer';

const routePath = (model: string) =>
  `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${model}`;
const weightsOf = async (model: string) =>
  (
    await kubeAdminRequest('GET', routePath(model))
  ).spec.rules[0].backendRefs.map((r: { weight: number }) => r.weight);

/** A registered model with versions 1 and 2, served 90/10 behind an HTTPRoute. */
async function routedModel(model: string) {
  await mlflowAdminApi('POST', 'registered-models/create', { name: model });
  for (const v of ['1', '2']) {
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: model,
      source: `s3://scratch/${model}/${v}`,
    });
    const labels = {
      'app.kubernetes.io/name': model,
      'ml-platform.io/model': model,
      'ml-platform.io/model-version': v,
    };
    await kubeAdminRequest('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${model}-v${v}`, labels },
      spec: { selector: labels, ports: [{ port: 8080 }] },
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
        rules: [
          {
            backendRefs: [
              { name: `${model}-v1`, port: 8080, weight: 90 },
              { name: `${model}-v2`, port: 8080, weight: 10 },
            ],
          },
        ],
      },
    },
  );
}

const claiming = (name: string, model: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      [ML_PLATFORM_ANNOTATIONS.registeredModel]: `mlflow/${model}`,
      [ANNOTATION_LOCATION]: TRUSTED,
      [ANNOTATION_ORIGIN_LOCATION]: TRUSTED,
    },
  },
  spec: { type: 'model-service', lifecycle: 'production', owner },
});

// The rollout permission is denied on the other team's entity only.
const permissions = mockServices.permissions.mock({
  async authorize(requests) {
    return requests.map(r => ({
      result:
        isResourcePermission(r.permission) &&
        r.permission.name === mlPlatformRolloutPermission.name &&
        (r as { resourceRef?: string }).resourceRef === OTHERS_ENTITY
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    }));
  },
});

let baseUrl: string;
const actionOptions = () => ({
  discovery: {
    getBaseUrl: async (pluginId: string) => `${baseUrl}/api/${pluginId}`,
    getExternalBaseUrl: async (pluginId: string) =>
      `${baseUrl}/api/${pluginId}`,
  },
  auth: mockServices.auth(),
});

/** Whether the backend lists the model's deployment in the namespace with its route. */
async function showsRoute(model: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/api/ml-platform/models/${model}`, {
    headers: { authorization: mockCredentials.user.header() },
  });
  const body = res.ok ? await res.json() : undefined;
  return Boolean(
    body?.deployments?.some(
      (d: { namespace: string; router?: object }) =>
        d.namespace === ns && d.router,
    ),
  );
}

beforeAll(async () => {
  await kubeAdminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await routedModel(ownModel);
  await routedModel(othersModel);
  const mlflow = readPlatformFile('mlflow');

  const { server } = await startTestBackend({
    features: [
      mlPlatformPlugin,
      permissions.factory,
      catalogServiceMock.factory({
        entities: [
          claiming('own-scorer', ownModel, 'group:default/team-a'),
          claiming('others-scorer', othersModel, 'group:default/team-b'),
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
            ownership: {
              trustedLocations: ['url:https://git.example.com/platform/*'],
            },
            // The scratch versions have no files to judge.
            safety: { allowUnknown: [{ cluster: 'local', namespace: ns }] },
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
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Until the backend's watch and registry read show both routes.
  for (let i = 0; ; i++) {
    const shown = await Promise.all([ownModel, othersModel].map(showsRoute));
    if (shown.every(Boolean)) break;
    if (i > 300) throw new Error('the backend never showed the routes');
    await new Promise(r => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await kubeAdminRequest('DELETE', `/api/v1/namespaces/${ns}`).catch(
    () => undefined,
  );
  for (const name of [ownModel, othersModel]) {
    await mlflowAdminApi('DELETE', 'registered-models/delete', { name }).catch(
      () => undefined,
    );
  }
});

describe('the rollout actions against the real ML Platform backend', () => {
  it("changes the route's weights as the user who started the task, then rolls them back", async () => {
    const apply = createRolloutApplyAction(actionOptions());
    const ctx = createMockActionContext({
      input: {
        model: ownModel,
        cluster: 'local',
        namespace: ns,
        strategy: 'canary',
        target: { version: '2', percent: 40 },
      },
    });

    await apply.handler(ctx as any);

    expect(await weightsOf(ownModel)).toEqual([60, 40]);
    expect(ctx.output).toHaveBeenCalledWith('after', {
      versions: [
        { version: '1', weight: 60, percent: 60 },
        { version: '2', weight: 40, percent: 40 },
      ],
    });
    const trail = await (
      await fetch(`${baseUrl}/api/ml-platform/models/${ownModel}/rollouts`, {
        headers: { authorization: mockCredentials.user.header() },
      })
    ).json();
    expect(trail.items[0]).toMatchObject({
      actor: mockCredentials.user().principal.userEntityRef,
      strategy: 'canary',
      result: 'succeeded',
    });

    const rollback = createRolloutRollbackAction(actionOptions());
    await rollback.handler(
      createMockActionContext({
        input: { model: ownModel, cluster: 'local', namespace: ns },
      }) as any,
    );
    expect(await weightsOf(ownModel)).toEqual([90, 10]);
  });

  it("is refused on another team's model, and the route stays as it was", async () => {
    const apply = createRolloutApplyAction(actionOptions());
    const before = await kubeAdminRequest('GET', routePath(othersModel));

    const error = await apply
      .handler(
        createMockActionContext({
          input: {
            model: othersModel,
            cluster: 'local',
            namespace: ns,
            strategy: 'promote',
            target: { version: '2' },
          },
        }) as any,
      )
      .catch(e => e);

    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toMatch(
      /^The ML Platform refused the rollout \(403\)/,
    );
    expect(await kubeAdminRequest('GET', routePath(othersModel))).toEqual(
      before,
    );
  });

  it('is refused as stale with the current split when the route changed since expectedResourceVersion', async () => {
    const apply = createRolloutApplyAction(actionOptions());
    const seen = await kubeAdminRequest('GET', routePath(ownModel));
    const touched = await kubeRequest(
      'PATCH',
      routePath(ownModel),
      { metadata: { labels: { touched: 'yes' } } },
      'application/merge-patch+json',
    );
    expect(touched.status).toBe(200);

    const error = await apply
      .handler(
        createMockActionContext({
          input: {
            model: ownModel,
            cluster: 'local',
            namespace: ns,
            strategy: 'promote',
            target: { version: '2' },
            expectedResourceVersion: seen.metadata.resourceVersion,
          },
        }) as any,
      )
      .catch(e => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/Current split: 1: 90%, 2: 10%\./);
    expect(await weightsOf(ownModel)).toEqual([90, 10]);
  });
});
