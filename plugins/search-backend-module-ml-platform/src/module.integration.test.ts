import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import searchPlugin from '@backstage/plugin-search-backend';
// The collator is tested against the backend plugin whose API it reads.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlPlatformPlugin from '@mlplatform/plugin-ml-platform-backend';
import { readPlatformFile } from 'platform-tests';
import request from 'supertest';
import { searchModuleMlPlatformCollator } from './module';
import { manualScheduler } from './__testUtils__/schedulerHandle';

// The collator against the ML Platform backend reading the local platform's
// real MLflow (scripts/platform/mlflow.sh, seeded from
// scripts/platform/demo-platform.json), indexed and queried by the real
// search backend, as a signed-in user would search from the search bar.

jest.setTimeout(300_000);

type MlflowEnv = {
  url: string;
  uiUrl: string;
  username: string;
  password: string;
};

type Spec = {
  models: Array<{
    name: string;
    description: string;
    owner: string;
    aliases: Record<string, number>;
    versions: Array<{ version: number }>;
  }>;
};

// Tests run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../..');
const spec: Spec = JSON.parse(
  fs.readFileSync(
    path.join(REPO_ROOT, 'scripts/platform/demo-platform.json'),
    'utf8',
  ),
);
const mlflow = readPlatformFile<MlflowEnv>('mlflow');

describe('the ML Platform search collator, on the real MLflow', () => {
  it('indexes the seeded models and versions, so "fraud" finds fraud-detector and each of its versions', async () => {
    const tasks = manualScheduler();
    const { server } = await startTestBackend({
      features: [
        mlPlatformPlugin,
        searchPlugin,
        searchModuleMlPlatformCollator,
        // No entity claims a model: each links to the Models page.
        catalogServiceMock.factory({ entities: [] }),
        ...tasks.features,
        // The search backend asks the permission framework; a user may read.
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            mlPlatform: {
              registries: {
                mlflow: [
                  {
                    id: 'mlflow',
                    baseUrl: mlflow.url,
                    uiUrl: mlflow.uiUrl,
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
    // The backend's first read of MLflow (every version's files), then
    // the collator's run, as the schedules would.
    await tasks.scheduler().triggerTask('ml-platform-refresh-registries');
    await tasks.scheduler().triggerTask('search_index_ml_model');

    const res = await request(server)
      .get('/api/search/query?term=fraud&types[0]=ml-model')
      .set('Authorization', mockCredentials.user.header());
    expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    const documents = res.body.results.map((r: any) => r.document);

    const fraud = spec.models.find(m => m.name === 'fraud-detector')!;
    const fallback = '/ml-platform?search=fraud-detector&registry=mlflow';
    expect(documents.find((d: any) => d.kind === 'model')).toEqual({
      title: 'fraud-detector',
      text: fraud.description,
      location: fallback,
      kind: 'model',
      registryId: 'mlflow',
      model: 'fraud-detector',
      version: '',
      description: fraud.description,
      aliases: expect.arrayContaining(
        Object.entries(fraud.aliases).map(([alias, v]) => `${alias} → v${v}`),
      ),
      owner: fraud.owner,
      safety: expect.stringMatching(/^(safe|unsafe|unknown)$/),
      safetyReason: expect.any(String),
    });
    const versions = documents
      .filter((d: any) => d.kind === 'version' && d.model === 'fraud-detector')
      .map((d: any) => d.version)
      .sort((a: string, b: string) => Number(a) - Number(b));
    expect(versions).toEqual(fraud.versions.map(v => String(v.version)));
    // The seeded pickles are judged unsafe from their bytes, the ONNX ones safe.
    const safety = Object.fromEntries(
      documents
        .filter((d: any) => d.kind === 'version')
        .map((d: any) => [d.version, d.safety]),
    );
    expect(safety).toMatchObject({ '1': 'unsafe', '6': 'safe' });
    // Nothing else of the seed matches.
    expect(new Set(documents.map((d: any) => d.model))).toEqual(
      new Set(['fraud-detector']),
    );
  });
});
