import fs from 'node:fs';
import path from 'node:path';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import request from 'supertest';
import { mlPlatformPlugin } from '../../plugin';
import { MlflowModelRegistry } from './MlflowModelRegistry';
import { postgresTestDatabaseIds, readPlatformFile } from 'platform-tests';
import { createSafetyVerdictStore } from '../SerializationSafety';

/*
 * Against the real MLflow server (basic-auth app) that scripts/platform/mlflow.sh
 * starts and seeds from scripts/platform/demo-platform.json.
 */

const REPO_ROOT = path.resolve(__dirname, '../../../../..');

type MlflowEnv = {
  url: string;
  username: string;
  password: string;
  uiUrl: string;
  viewer: { username: string; password: string };
};

type Spec = {
  models: Array<{
    name: string;
    description: string;
    owner: string;
    service: string;
    pipeline: string;
    versions: Array<{
      version: number;
      format: string;
      dataset: string;
      metrics: Record<string, number>;
    }>;
    aliases: Record<string, number>;
  }>;
  lakefs: { repository: string; datasets: Array<{ id: string; path: string }> };
};

type ZenmlSeed = {
  models: Record<
    string,
    {
      versions: Record<
        string,
        {
          runId: string;
          runName: string;
          hyperparameters: Record<string, number>;
        }
      >;
    }
  >;
};

type LakefsSeed = { repository: string; commits: Record<string, string> };

const env = readPlatformFile<MlflowEnv>('mlflow');
const spec: Spec = JSON.parse(
  fs.readFileSync(
    path.join(REPO_ROOT, 'scripts/platform/demo-platform.json'),
    'utf8',
  ),
);
const zenml = readPlatformFile<ZenmlSeed>('zenml-seed');
const lakefs = readPlatformFile<LakefsSeed>('lakefs-seed');

// From the files' bytes: the pickles import scikit-learn or the pyfunc's
// own classes, the others hold data only.
const SAFETY_BY_FORMAT: Record<string, 'safe' | 'unsafe'> = {
  'sklearn-pickle': 'unsafe',
  'sklearn-cloudpickle': 'unsafe',
  'pyfunc-pickle': 'unsafe',
  onnx: 'safe',
  skops: 'safe',
  xgboost: 'safe',
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const databases = TestDatabases.create({
  ids: [...postgresTestDatabaseIds(), 'SQLITE_3'],
});

function registry(
  auth = { username: env.username, password: env.password },
  extra: Partial<ConstructorParameters<typeof MlflowModelRegistry>[0]> = {},
) {
  return new MlflowModelRegistry({
    id: 'mlflow-demo',
    baseUrl: env.url,
    uiUrl: env.uiUrl,
    auth,
    ...extra,
  });
}

// What judging a version's files costs: where its artifact is, a listing of
// each of its directories, and the files themselves.
const DOWNLOAD_URI = '/api/2.0/mlflow/model-versions/get-download-uri';
const LISTING = '/api/2.0/mlflow-artifacts/artifacts';
const FILE = '/api/2.0/mlflow-artifacts/artifacts/*';
const versionId = (v: ModelVersion) => `${v.name}/${v.version}`;

const byNameAndVersion = (a: ModelVersion, b: ModelVersion) =>
  a.name.localeCompare(b.name) || Number(a.version) - Number(b.version);

// Reading every version's files of a registry that other suites fill at the
// same time takes seconds on a busy machine.
jest.setTimeout(120_000);

// Other suites register scratch models in the same MLflow while this one runs.
const seeded = new Set(spec.models.map(m => m.name));

describe('MlflowModelRegistry (real MLflow server)', () => {
  it('lists the seeded registered models with aliases, tags and latest version', async () => {
    const models = (await registry().listModels()).filter(m =>
      seeded.has(m.name),
    );

    expect([...models].sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      spec.models
        .map(m => ({
          registryId: 'mlflow-demo',
          name: m.name,
          description: m.description,
          aliases: Object.fromEntries(
            Object.entries(m.aliases).map(([alias, v]) => [alias, String(v)]),
          ),
          tags: {
            owner: m.owner,
            service: m.service,
            'zenml.pipeline_name': m.pipeline,
          },
          latestVersion: String(Math.max(...m.versions.map(v => v.version))),
          createdAt: expect.stringMatching(ISO),
          updatedAt: expect.stringMatching(ISO),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(models.find(m => m.name === 'fraud-detector')?.aliases).toEqual({
      champion: '5',
      challenger: '6',
    });
  });

  it("lists every version with its run, lineage, links and safety, reading each version's files once", async () => {
    const mlflow = registry();
    const all = await mlflow.listVersions();
    const firstRead = mlflow.client.requestCounts;
    const versions = all.filter(v => seeded.has(v.name));

    const expected = spec.models.flatMap(m =>
      m.versions.map(v => ({ model: m, v })),
    );
    expect(versions).toHaveLength(expected.length);
    expect(versions).toHaveLength(14);
    // One page of each listing, one batched run search; per version its
    // artifact's place, its one directory, its MLmodel and its model file.
    expect(firstRead).toEqual({
      '/api/2.0/mlflow/registered-models/search': 1,
      '/api/2.0/mlflow/model-versions/search': 1,
      '/api/2.0/mlflow/experiments/search': 1,
      '/api/2.0/mlflow/runs/search': 1,
      [DOWNLOAD_URI]: all.length,
      [LISTING]: expect.any(Number),
      [FILE]: expect.any(Number),
    });
    expect(firstRead[LISTING]).toBeGreaterThanOrEqual(all.length);
    expect(firstRead[FILE]).toBeGreaterThanOrEqual(2 * all.length);

    const sorted = [...versions].sort(byNameAndVersion);
    for (const { model, v } of expected) {
      const version = sorted.find(
        x => x.name === model.name && x.version === String(v.version),
      );
      const zenmlRun = zenml.models[model.name].versions[String(v.version)];
      const aliases = Object.entries(model.aliases)
        .filter(([, n]) => n === v.version)
        .map(([alias]) => alias)
        .sort();
      const dataset = spec.lakefs.datasets.find(d => d.id === v.dataset)!;

      expect(version).toMatchObject({
        registryId: 'mlflow-demo',
        status: 'READY',
        aliases,
        tags: expect.objectContaining({
          zenml_pipeline_run_uuid: zenmlRun.runId,
          zenml_pipeline_name: model.pipeline,
        }),
        createdAt: expect.stringMatching(ISO),
        source: expect.stringMatching(/^models:\//),
        safety: { safety: SAFETY_BY_FORMAT[v.format], source: 'bytes' },
        links: {
          registry: `${env.uiUrl}/#/models/${model.name}/versions/${v.version}`,
        },
      });
      expect(version?.safetyError).toBeUndefined();

      const run = version!.run!;
      expect(run).toMatchObject({
        runId: version!.tags.mlflow_run_id,
        runName: zenmlRun.runName,
        status: 'FINISHED',
        userId: env.username,
        startTime: expect.stringMatching(ISO),
        endTime: expect.stringMatching(ISO),
        params: {
          format: v.format,
          dataset: v.dataset,
          ...Object.fromEntries(
            Object.entries(zenmlRun.hyperparameters).map(([k, n]) => [
              k,
              String(n),
            ]),
          ),
        },
        metrics: expect.objectContaining(v.metrics),
        tags: expect.objectContaining({
          'zenml.pipeline_run_id': zenmlRun.runId,
          'zenml.pipeline_name': model.pipeline,
          'lakefs.repository': lakefs.repository,
          'lakefs.commit': lakefs.commits[v.dataset],
          'lakefs.path': dataset.path,
        }),
      });
      expect(version!.links.run).toBe(
        `${env.uiUrl}/#/experiments/${run.experimentId}/runs/${run.runId}`,
      );
    }

    const fraudV1 = sorted.find(
      x => x.name === 'fraud-detector' && x.version === '1',
    );
    expect(fraudV1?.safety?.flavors).toContain('sklearn');
    expect(fraudV1?.safety?.reason).toMatch(
      /model\.pkl: Unpickling it imports and calls sklearn\./,
    );

    // Within the recheck interval the second listing reads no file, apart
    // from those of versions other suites registered meanwhile or whose files
    // could not be read.
    const judged = new Set(all.filter(v => v.safety).map(versionId));
    const again = await mlflow.listVersions();
    const secondRead = Object.fromEntries(
      Object.entries(mlflow.client.requestCounts)
        .map(([p, n]) => [p, n - (firstRead[p] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    const unjudged = again.filter(v => !judged.has(versionId(v))).length;
    const {
      [DOWNLOAD_URI]: downloads = 0,
      [LISTING]: listings = 0,
      [FILE]: files = 0,
      ...searches
    } = secondRead;
    expect(searches).toEqual({
      '/api/2.0/mlflow/registered-models/search': 1,
      '/api/2.0/mlflow/model-versions/search': 1,
      '/api/2.0/mlflow/experiments/search': 1,
      '/api/2.0/mlflow/runs/search': 1,
    });
    expect({ downloads, listed: listings > 0, read: files > 0 }).toEqual({
      downloads: unjudged,
      listed: unjudged > 0,
      read: unjudged > 0,
    });
    expect(
      [...again].filter(v => seeded.has(v.name)).sort(byNameAndVersion),
    ).toEqual(sorted);
  });

  it.each(databases.eachSupportedId())(
    'keeps verdicts in the %p database: after a restart no file is read again',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const before = registry(undefined, {
        verdicts: await createSafetyVerdictStore({ database }),
      });
      const first = await before.listVersions();
      const judged = new Set(first.filter(v => v.safety).map(versionId));
      expect(before.client.requestCounts[DOWNLOAD_URI]).toBe(first.length);

      // A new process: an empty memory, the same database.
      const after = registry(undefined, {
        verdicts: await createSafetyVerdictStore({ database }),
      });
      const second = await after.listVersions();
      // Only versions registered since by other suites, or whose files
      // could not be read, may be read again; every seeded one is not.
      const unjudged = second.filter(v => !judged.has(versionId(v)));
      expect(after.client.requestCounts[DOWNLOAD_URI] ?? 0).toBe(
        unjudged.length,
      );
      const seededVersions = (list: ModelVersion[]) =>
        list
          .filter(v => seeded.has(v.name))
          .sort(byNameAndVersion)
          .map(v => [versionId(v), v.safety]);
      expect(seededVersions(second)).toEqual(seededVersions(first));
      expect(seededVersions(second)).toHaveLength(14);
    },
  );

  it('names the 401 of a wrong password without revealing it', async () => {
    const password = `wrong-${Math.random().toString(36).slice(2)}`;
    const error: Error = await registry({ username: env.username, password })
      .listModels()
      .then(
        () => {
          throw new Error('listModels should have failed');
        },
        (e: Error) => e,
      );

    expect(error.message).toMatch(
      /^MLflow GET \/api\/2\.0\/mlflow\/registered-models\/search answered 401/,
    );
    expect(error.message).not.toContain(password);
    expect(error.message).not.toContain(
      Buffer.from(`${env.username}:${password}`).toString('base64'),
    );
    expect(error).toMatchObject({ name: 'MlflowRequestError', status: 401 });
  });

  it('shows a user without permissions nothing, and names the 403 of what it may not read', async () => {
    const viewer = registry(env.viewer);
    expect(await viewer.listModels()).toEqual([]);
    expect(await viewer.listVersions()).toEqual([]);

    await expect(
      viewer.client.getMlModelFile('fraud-detector', '1'),
    ).rejects.toMatchObject({
      name: 'MlflowRequestError',
      status: 403,
      message: expect.stringMatching(
        /^MLflow GET \/model-versions\/get-artifact answered 403 Forbidden: Permission denied/,
      ),
    });
  });

  describe('configured in mlPlatform.registries.mlflow', () => {
    const entry = (id: string) => ({
      id,
      baseUrl: env.url,
      auth: { username: env.username, password: env.password },
    });
    const backend = (...entries: Array<ReturnType<typeof entry>>) =>
      startTestBackend({
        features: [
          mlPlatformPlugin,
          mockServices.rootConfig.factory({
            data: { mlPlatform: { registries: { mlflow: entries } } },
          }),
        ],
      });

    it('serves the models of the configured server', async () => {
      const { server } = await backend(entry('demo'));
      const res = await request(server).get('/api/ml-platform/models');

      expect(res.status).toBe(200);
      expect(res.body.registries).toEqual([
        expect.objectContaining({ id: 'demo', type: 'mlflow', ok: true }),
      ]);
      expect(
        res.body.items
          .map((m: { name: string }) => m.name)
          .filter((name: string) => seeded.has(name))
          .sort(),
      ).toEqual(spec.models.map(m => m.name).sort());
    });

    it('rejects two servers with the same id at startup', async () => {
      await expect(backend(entry('demo'), entry('demo'))).rejects.toThrow(
        "A model registry with id 'demo' is already registered",
      );
    });
  });
});
