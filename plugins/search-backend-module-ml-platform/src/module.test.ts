import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import {
  type ModelRegistry,
  mlPlatformModelRegistriesExtensionPoint,
} from '@mlplatform/plugin-ml-platform-node';
// The collator is tested against the backend plugin whose API it reads.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import searchPlugin from '@backstage/plugin-search-backend';
import request from 'supertest';
import { searchModuleMlPlatformCollator } from './module';
import { manualScheduler } from './__testUtils__/schedulerHandle';

// The real ML Platform and search backends in one test backend, with
// in-memory registries: the collator reads the models over HTTP with the
// search plugin's credentials, the search backend indexes and answers.

const ALICE = 'user:default/alice';
/** The policy denies him the model list. */
const BOB = 'user:default/bob';
const TASK = 'search_index_ml_model';
const TRUSTED = 'url:https://git.example.com/';

const model = (
  registryId: string,
  name: string,
  extra: Partial<RegisteredModel> = {},
): RegisteredModel => ({
  registryId,
  name,
  aliases: {},
  tags: {},
  ...extra,
});

const version = (
  name: string,
  v: string,
  extra: Partial<ModelVersion> = {},
): ModelVersion => ({
  registryId: 'eu',
  name,
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  links: { registry: `http://mlflow.test/#/models/${name}/versions/${v}` },
  ...extra,
});

const pickle = {
  safety: 'unsafe' as const,
  reason:
    'Loading runs code the model’s author chose: model.pkl imports posix.system',
  flavors: ['sklearn'],
  source: 'bytes' as const,
  files: [],
};
const onnx = {
  safety: 'safe' as const,
  reason:
    'Read 2 files, data only (onnx): loading runs no code from the model.',
  flavors: ['onnx'],
  source: 'bytes' as const,
  files: [],
};

const registry = (
  id: string,
  models: RegisteredModel[],
  versions: ModelVersion[] = [],
): ModelRegistry => ({
  id,
  type: 'test',
  listModels: async () => models,
  listVersions: async () => versions,
});

const registries = createBackendModule({
  pluginId: 'ml-platform',
  moduleId: 'test-registries',
  register(env) {
    env.registerInit({
      deps: { ext: mlPlatformModelRegistriesExtensionPoint },
      async init({ ext }) {
        ext.addModelRegistry(
          registry(
            'eu',
            [
              model('eu', 'fraud-detector', {
                description: 'Gradient-boosted fraud risk score',
                aliases: { champion: '2', challenger: '3' },
                tags: { owner: 'fraud-ml' },
                latestVersion: '3',
              }),
              model('eu', 'churn', { tags: { owner: 'recsys-ml' } }),
            ],
            [
              version('fraud-detector', '1', { safety: pickle }),
              version('fraud-detector', '2', {
                aliases: ['champion'],
                safety: onnx,
              }),
              version('fraud-detector', '3', {
                aliases: ['challenger'],
                safety: onnx,
              }),
            ],
          ),
          registry('us', [model('us', 'ranker')]),
        );
      },
    });
  },
});

const claim = (
  kind: string,
  name: string,
  annotation: string,
  origin: string,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'ml-platform.io/registered-model': annotation,
      'backstage.io/managed-by-origin-location': origin,
    },
  },
  spec: {},
});

const entities = [
  claim(
    'Component',
    'fraud-scorer',
    'fraud-detector',
    `${TRUSTED}fraud/catalog-info.yaml`,
  ),
  // Anyone may register a location: this claim must not take searchers
  // for churn to a page of its author's.
  claim('Component', 'a-claim', 'eu/churn', 'url:https://evil.example.com/x'),
  // The catalog module's Resource for the model no trusted entity claims.
  claim('Resource', 'churn', 'eu/churn', 'ml-platform:eu/churn'),
];

async function startBackend(options: { refuseSearchPlugin?: boolean } = {}) {
  const checks: Array<{ subject?: string; permission: string }> = [];
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) =>
      requests.map(({ permission }) => {
        const principal = credentials.principal as {
          type: string;
          subject?: string;
          userEntityRef?: string;
        };
        const who = principal.subject ?? principal.userEntityRef;
        checks.push({ subject: who, permission: permission.name });
        const refused =
          who === BOB ||
          (options.refuseSearchPlugin && who === 'plugin:search');
        return {
          result: refused ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        };
      }),
  });
  const tasks = manualScheduler();
  const { server } = await startTestBackend({
    features: [
      mlPlatformPlugin,
      registries,
      searchPlugin,
      searchModuleMlPlatformCollator,
      catalogServiceMock.factory({ entities }),
      permissions.factory,
      ...tasks.features,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          mlPlatform: { ownership: { trustedLocations: [`${TRUSTED}*`] } },
        },
      }),
    ],
  });
  await tasks.scheduler().triggerTask(TASK);
  const query = (term: string, user = ALICE) =>
    request(server)
      .get(`/api/search/query?term=${encodeURIComponent(term)}`)
      .set('Authorization', mockCredentials.user.header(user));
  const search = async (term: string, user = ALICE) => {
    const res = await query(term, user);
    expect(res.status).toBe(200);
    return res.body.results as Array<{ type: string; document: any }>;
  };
  return { query, search, checks };
}

describe('the ML Platform search collator', () => {
  it('finds a model and its versions by name, with description, aliases, owner and safety, linking to its model tab', async () => {
    const { search } = await startBackend();
    const results = await search('fraud');
    expect(results.every(r => r.type === 'ml-model')).toBe(true);
    const byTitle = Object.fromEntries(
      results.map(r => [r.document.title, r.document]),
    );
    expect(Object.keys(byTitle).sort()).toEqual([
      'fraud-detector',
      'fraud-detector v1',
      'fraud-detector v2',
      'fraud-detector v3',
    ]);
    const page = '/catalog/default/component/fraud-scorer/model';
    expect(byTitle['fraud-detector']).toEqual({
      title: 'fraud-detector',
      text: 'Gradient-boosted fraud risk score',
      location: page,
      kind: 'model',
      registryId: 'eu',
      model: 'fraud-detector',
      version: '',
      description: 'Gradient-boosted fraud risk score',
      aliases: ['champion → v2', 'challenger → v3'],
      owner: 'fraud-ml',
      // What serves traffic decides; nothing does, so the latest version.
      safety: 'safe',
      safetyReason: `v3: ${onnx.reason}`,
    });
    expect(byTitle['fraud-detector v1']).toMatchObject({
      kind: 'version',
      version: '1',
      location: `${page}#version-1`,
      aliases: [],
      owner: 'fraud-ml',
      safety: 'unsafe',
      text: 'Version 1 of fraud-detector, READY, serialization unsafe',
      safetyReason: pickle.reason,
    });
    expect(byTitle['fraud-detector v2']).toMatchObject({
      aliases: ['champion'],
      safety: 'safe',
    });
  });

  it('finds what a model is known by besides its name: description, alias, owner, safety', async () => {
    const { search } = await startBackend();
    const titles = async (term: string) =>
      (await search(term)).map(r => r.document.title).sort();
    expect(await titles('gradient')).toEqual(['fraud-detector']);
    expect(await titles('challenger')).toEqual([
      'fraud-detector',
      'fraud-detector v3',
    ]);
    expect(await titles('recsys')).toEqual(['churn']);
    expect(await titles('posix')).toEqual(['fraud-detector v1']);
  });

  it("links to a trusted claimer's model tab, never to an untrusted claim; else to the Models page", async () => {
    const { search } = await startBackend();
    expect((await search('churn')).map(r => r.document.location)).toEqual([
      '/catalog/default/resource/churn/model',
    ]);
    expect((await search('ranker')).map(r => r.document.location)).toEqual([
      '/ml-platform?search=ranker&registry=us',
    ]);
  });

  it('shows models only to users the policy allows ml-platform.model.read', async () => {
    const { search, checks } = await startBackend();
    expect(await search('fraud', BOB)).toEqual([]);
    expect(checks).toContainEqual({
      subject: BOB,
      permission: 'ml-platform.model.read',
    });
  });

  it("reads with the search plugin's own service credentials, and indexes nothing they are refused", async () => {
    const allowed = await startBackend();
    expect(allowed.checks).toContainEqual({
      subject: 'plugin:search',
      permission: 'ml-platform.model.read',
    });

    const refused = await startBackend({ refuseSearchPlugin: true });
    const res = await refused.query('fraud');
    expect(res.body.error.message).toBe(
      "Missing index for ml-model. This could be because the index hasn't been created yet or there was a problem during index creation.",
    );
  });
});
