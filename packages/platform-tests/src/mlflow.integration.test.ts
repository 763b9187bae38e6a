import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

/**
 * Against the real MLflow server (basic-auth app) started by scripts/platform/mlflow.sh and
 * seeded by `mlflow.sh seed` from scripts/platform/demo-platform.json.
 */
type MlflowEnv = {
  url: string;
  username: string;
  password: string;
  uiUrl: string;
  viewer: { username: string; password: string };
};

type Spec = {
  models: {
    name: string;
    description: string;
    pipeline: string;
    versions: {
      version: number;
      format: string;
      dataset: string;
      metrics: Record<string, number>;
    }[];
    aliases: Record<string, number>;
  }[];
  lakefs: { repository: string; datasets: { id: string; path: string }[] };
};

type RegisteredModel = {
  name: string;
  description?: string;
  aliases?: { alias: string; version: string }[];
  latest_versions?: { version: string }[];
  tags?: { key: string; value: string }[];
};

type ModelVersion = {
  name: string;
  version: string;
  run_id: string;
  source: string;
  status: string;
  tags?: { key: string; value: string }[];
};

type Run = {
  info: {
    run_id: string;
    run_name: string;
    experiment_id: string;
    status: string;
  };
  data: {
    params?: { key: string; value: string }[];
    metrics?: { key: string; value: number }[];
    tags?: { key: string; value: string }[];
  };
  inputs?: {
    dataset_inputs?: {
      dataset: { name: string; source_type: string; source: string };
    }[];
  };
};

const env = readPlatformFile<MlflowEnv>('mlflow');
const spec = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../scripts/platform/demo-platform.json'),
    'utf8',
  ),
) as Spec;
const zenmlSeedFile = path.join(PLATFORM_STATE_DIR, 'zenml-seed.json');
const lakefsSeedFile = path.join(PLATFORM_STATE_DIR, 'lakefs-seed.json');

function basic(user: string, password: string) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function get(
  urlPath: string,
  auth = basic(env.username, env.password),
): Promise<Response> {
  return fetch(`${env.url}${urlPath}`, {
    headers: { Authorization: auth, Accept: 'application/json' },
  });
}

async function api<T>(apiPath: string): Promise<T> {
  const res = await get(`/api/2.0/mlflow${apiPath}`);
  if (!res.ok) {
    throw new Error(`GET ${apiPath}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

async function mlmodel(name: string, version: number): Promise<string> {
  const res = await get(
    `/model-versions/get-artifact?name=${encodeURIComponent(
      name,
    )}&version=${version}&path=MLmodel`,
  );
  if (!res.ok) {
    throw new Error(
      `MLmodel of ${name} v${version}: ${res.status} ${await res.text()}`,
    );
  }
  return res.text();
}

const tagMap = (tags?: { key: string; value: string }[]) =>
  Object.fromEntries((tags ?? []).map(t => [t.key, t.value]));

describe('MLflow (real server)', () => {
  it('pages through the seeded registered models with max_results and page_token', async () => {
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ max_results: '2' });
      if (pageToken) query.set('page_token', pageToken);
      const page = await api<{
        registered_models?: RegisteredModel[];
        next_page_token?: string;
      }>(`/registered-models/search?${query}`);
      expect((page.registered_models ?? []).length).toBeLessThanOrEqual(2);
      names.push(...(page.registered_models ?? []).map(m => m.name));
      pageToken = page.next_page_token;
      pages += 1;
    } while (pageToken && pages < 20);

    const expected = spec.models.map(m => m.name);
    expect(names).toEqual(expect.arrayContaining(expected));
    expect(new Set(names).size).toBe(names.length);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 2));
  });

  it('has every model with its description, versions and aliases', async () => {
    for (const model of spec.models) {
      const { registered_model: rm } = await api<{
        registered_model: RegisteredModel;
      }>(`/registered-models/get?name=${encodeURIComponent(model.name)}`);
      expect(rm.description).toBe(model.description);
      const aliases = Object.fromEntries(
        (rm.aliases ?? []).map(a => [a.alias, Number(a.version)]),
      );
      expect(aliases).toEqual(model.aliases);

      const { model_versions: versions } = await api<{
        model_versions: ModelVersion[];
      }>(
        `/model-versions/search?filter=${encodeURIComponent(
          `name='${model.name}'`,
        )}`,
      );
      expect(
        versions.map(v => Number(v.version)).sort((a, b) => a - b),
      ).toEqual(model.versions.map(v => v.version));
      expect(versions.every(v => v.status === 'READY')).toBe(true);
    }
  });

  it('serves the MLmodel file MLflow wrote for each serialization format', async () => {
    const fraudV1 = await mlmodel('fraud-detector', 1);
    expect(fraudV1).toMatch(/^flavors:$/m);
    expect(fraudV1).toMatch(/^ {2}sklearn:$/m);
    expect(fraudV1).toMatch(/serialization_format: pickle$/m);
    expect(fraudV1).toMatch(/pickled_model: model\.pkl/);

    expect(await mlmodel('fraud-detector', 3)).toMatch(
      /serialization_format: cloudpickle$/m,
    );

    const fraudV5 = await mlmodel('fraud-detector', 5);
    expect(fraudV5).toMatch(/^ {2}onnx:$/m);
    expect(fraudV5).toMatch(/data: model\.onnx/);
    expect(fraudV5).not.toMatch(/^ {2}sklearn:$/m);

    const rankerV3 = await mlmodel('product-ranker', 3);
    expect(rankerV3).toMatch(/serialization_format: skops$/m);
    expect(rankerV3).toMatch(/model\.skops/);

    const churnV1 = await mlmodel('churn-predictor', 1);
    expect(churnV1).toMatch(/^ {2}xgboost:$/m);
    expect(churnV1).toMatch(/model_format: ubj/);

    const churnV3 = await mlmodel('churn-predictor', 3);
    expect(churnV3).toMatch(/loader_module: mlflow\.pyfunc\.model/);
    expect(churnV3).toMatch(/python_model: python_model\.pkl/);

    // Every version's MLmodel names the run that logged it.
    const { model_version: mv } = await api<{ model_version: ModelVersion }>(
      '/model-versions/get?name=fraud-detector&version=5',
    );
    expect(fraudV5).toContain(`run_id: ${mv.run_id}`);
  });

  it('links each version to its training run, ZenML run and lakeFS commit', async () => {
    const zenml = JSON.parse(fs.readFileSync(zenmlSeedFile, 'utf8')) as {
      models: Record<
        string,
        {
          pipeline: string;
          versions: Record<string, { runId: string; runName: string }>;
        }
      >;
    };
    const lakefs = fs.existsSync(lakefsSeedFile)
      ? (JSON.parse(fs.readFileSync(lakefsSeedFile, 'utf8')) as {
          repository: string;
          commits: Record<string, string>;
        })
      : undefined;
    const datasets = Object.fromEntries(
      spec.lakefs.datasets.map(d => [d.id, d]),
    );

    const model = spec.models.find(m => m.name === 'fraud-detector')!;
    for (const v of model.versions) {
      const { model_version: mv } = await api<{ model_version: ModelVersion }>(
        `/model-versions/get?name=${model.name}&version=${v.version}`,
      );
      const zenmlRun = zenml.models[model.name].versions[String(v.version)];
      expect(tagMap(mv.tags)).toMatchObject({
        zenml_pipeline_run_uuid: zenmlRun.runId,
        zenml_pipeline_name: model.pipeline,
        mlflow_run_id: mv.run_id,
      });

      const { run } = await api<{ run: Run }>(`/runs/get?run_id=${mv.run_id}`);
      expect(run.info.status).toBe('FINISHED');
      expect(run.info.run_name).toBe(zenmlRun.runName);
      const tags = tagMap(run.data.tags);
      expect(tags).toMatchObject({
        'zenml.pipeline_run_id': zenmlRun.runId,
        'zenml.pipeline_name': model.pipeline,
      });
      expect(tags.zenml).toMatch(/^\d+\.\d+\.\d+/);
      const metrics = Object.fromEntries(
        (run.data.metrics ?? []).map(m => [m.key, m.value]),
      );
      expect(metrics).toMatchObject(v.metrics);

      // The lakeFS tags are there when lakeFS was seeded before MLflow (up.sh's order).
      const commit = lakefs?.commits[v.dataset];
      const lakefsTags = commit
        ? {
            'lakefs.repository': lakefs!.repository,
            'lakefs.commit': commit,
            'lakefs.path': datasets[v.dataset].path,
          }
        : {};
      expect(tags).toMatchObject(lakefsTags);
      const input = run.inputs?.dataset_inputs?.[0]?.dataset;
      expect(input?.name).toBe(v.dataset);
      expect(input?.source_type).toBe('lakefs');
    }
  });

  it('refuses a wrong password and no credentials with 401', async () => {
    const wrong = await get(
      '/api/2.0/mlflow/registered-models/search',
      basic(env.username, 'not-the-password'),
    );
    expect(wrong.status).toBe(401);
    const none = await fetch(
      `${env.url}/api/2.0/mlflow/registered-models/search`,
    );
    expect(none.status).toBe(401);
  });

  it('authorizes per user: a user without permissions sees no models', async () => {
    const res = await get(
      '/api/2.0/mlflow/registered-models/search',
      basic(env.viewer.username, env.viewer.password),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      registered_models?: RegisteredModel[];
    };
    expect(body.registered_models ?? []).toEqual([]);

    const mv = await get(
      '/api/2.0/mlflow/model-versions/get?name=fraud-detector&version=1',
      basic(env.viewer.username, env.viewer.password),
    );
    expect(mv.status).toBe(403);
  });
});
