import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ML_PLATFORM_ANNOTATIONS,
  type ModelDeployment,
  type RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import { localClusterConfig, localKubeClient } from './localCluster';
import { mlflowAdminApi, type LocalMlflow } from './localMlflow';
import { readPlatformFile } from './platformEnv';

const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces' };
const ORIGIN = 'url:https://git.example.com/platform/catalog/all.yaml';
const API = '/api/ml-platform';

/** What a traffic kind's test drives: the portal's API, for one model in one namespace. */
export interface TrafficKindBackend {
  /** POST /rollouts for the model in the namespace of the local cluster. */
  rollout(body: object): Promise<request.Response>;
  /** The model's deployment in the namespace once the portal shows these percents. */
  untilPortalShows(percents: Record<string, number>): Promise<ModelDeployment>;
  /** The model's audit trail, newest first. */
  history(): Promise<RolloutAuditRecord[]>;
}

/**
 * The ML Platform backend with the given features (the plugin and the
 * module under test) on the local apiserver and MLflow, for a scratch model
 * with versions 1 and 2 and a namespace of its own, both removed by
 * `cleanUp`. The model is claimed by a catalog entity from a trusted
 * location, so rollouts are allowed; its versions have no files to judge,
 * so the namespace allows unknown verdicts.
 */
export async function startTrafficKindBackend(options: {
  features: Parameters<typeof startTestBackend>[0]['features'];
  namespace: string;
  model: string;
}): Promise<TrafficKindBackend & { cleanUp(): Promise<void> }> {
  const { namespace, model } = options;
  const kube = localKubeClient();
  await kube.create(NAMESPACES, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  await mlflowAdminApi('POST', 'registered-models/create', { name: model });
  for (const v of ['1', '2']) {
    await mlflowAdminApi('POST', 'model-versions/create', {
      name: model,
      source: `s3://scratch/${model}/${v}`,
    });
  }
  const mlflow = readPlatformFile<LocalMlflow>('mlflow');
  const { server } = await startTestBackend({
    features: [
      ...(options.features ?? []),
      mockServices.permissions.factory(),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: `${model}-service`,
              namespace: 'default',
              annotations: {
                [ML_PLATFORM_ANNOTATIONS.registeredModel]: model,
                [ANNOTATION_LOCATION]: ORIGIN,
                [ANNOTATION_ORIGIN_LOCATION]: ORIGIN,
              },
            },
            spec: { type: 'model-service', owner: 'group:default/team' },
          },
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
            safety: { allowUnknown: [{ cluster: 'local', namespace }] },
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
  const authorization = mockCredentials.user.header();
  const get = (path: string) =>
    request(server).get(`${API}${path}`).set('authorization', authorization);

  return {
    rollout: body =>
      request(server)
        .post(`${API}/rollouts`)
        .set('authorization', authorization)
        .send({ model, cluster: 'local', namespace, ...body }),

    async untilPortalShows(percents) {
      let last: unknown;
      for (let i = 0; i < 600; i++) {
        const res = await get(`/models/${model}`);
        const deployment = (res.body.deployments ?? []).find(
          (d: ModelDeployment) => d.namespace === namespace,
        ) as ModelDeployment | undefined;
        last = deployment ?? res.body;
        const shown = Object.fromEntries(
          (deployment?.versions ?? []).map(v => [v.version, v.percent]),
        );
        if (
          deployment?.router &&
          JSON.stringify(shown) === JSON.stringify(percents)
        ) {
          return deployment;
        }
        if (i % 25 === 0) {
          await request(server)
            .post(`${API}/refresh`)
            .set('authorization', authorization);
        }
        await new Promise(r => setTimeout(r, 200));
      }
      throw new Error(
        `The portal never showed ${JSON.stringify(
          percents,
        )} for ${model} in ${namespace}: ${JSON.stringify(last)}`,
      );
    },

    async history() {
      return (await get(`/models/${model}/rollouts`)).body.items;
    },

    async cleanUp() {
      await kube
        .delete(NAMESPACES, undefined, namespace)
        .catch(() => undefined);
      await mlflowAdminApi('DELETE', 'registered-models/delete', {
        name: model,
      }).catch(() => undefined);
    },
  };
}
