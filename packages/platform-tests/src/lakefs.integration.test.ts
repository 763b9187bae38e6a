import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

/**
 * Against the real lakeFS started by scripts/platform/lakefs.sh and seeded by
 * `lakefs.sh seed` from scripts/platform/demo-platform.json.
 */
type LakeFSEnv = {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  uiUrl: string;
};

type Commit = {
  id: string;
  message: string;
  metadata?: Record<string, string>;
  parents: string[];
  creation_date: number;
};

const env = readPlatformFile<LakeFSEnv>('lakefs');
const spec = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../scripts/platform/demo-platform.json'),
    'utf8',
  ),
).lakefs as {
  repository: string;
  datasets: { id: string; path: string; message: string }[];
};

function basic(id: string, secret: string) {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function api(
  apiPath: string,
  secret = env.secretAccessKey,
): Promise<Response> {
  return fetch(`${env.url}/api/v1${apiPath}`, {
    headers: {
      Authorization: basic(env.accessKeyId, secret),
      Accept: 'application/json',
    },
  });
}

async function json<T>(apiPath: string): Promise<T> {
  const res = await api(apiPath);
  if (!res.ok) {
    throw new Error(`GET ${apiPath}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

describe('lakeFS (real server)', () => {
  const repo = spec.repository;

  it('lists repositories with the generated access key', async () => {
    const list = await json<{
      results: {
        id: string;
        default_branch: string;
        storage_namespace: string;
      }[];
    }>('/repositories');
    const found = list.results.find(r => r.id === repo);
    expect(found).toBeDefined();
    expect(found!.default_branch).toBe('main');
    expect(found!.storage_namespace).toMatch(/^local:\/\//);
  });

  it('has one commit on main per seeded dataset, with its message and metadata', async () => {
    const log = await json<{ results: Commit[] }>(
      `/repositories/${repo}/refs/main/commits?amount=1000`,
    );
    const seed = JSON.parse(
      fs.readFileSync(
        path.join(PLATFORM_STATE_DIR, 'lakefs-seed.json'),
        'utf8',
      ),
    ) as { repository: string; commits: Record<string, string> };
    expect(seed.repository).toBe(repo);

    const byDataset = new Map(
      log.results
        .filter(c => c.metadata?.dataset)
        .map(c => [c.metadata!.dataset, c] as const),
    );
    for (const ds of spec.datasets) {
      const commit = byDataset.get(ds.id);
      expect(commit).toBeDefined();
      expect(commit!.message).toBe(ds.message);
      expect(commit!.id).toBe(seed.commits[ds.id]);
    }

    // The log is newest first: the datasets were committed in spec order, and the
    // two transaction months are two commits of the same object.
    const order = spec.datasets.map(ds =>
      log.results.findIndex(c => c.metadata?.dataset === ds.id),
    );
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });

  it('lists the commits that changed one object over time', async () => {
    const objectPath = 'fraud/transactions.csv';
    const log = await json<{ results: Commit[] }>(
      `/repositories/${repo}/refs/main/commits?objects=${encodeURIComponent(
        objectPath,
      )}&amount=100`,
    );
    const datasets = log.results.map(c => c.metadata?.dataset);
    const expected = spec.datasets
      .filter(ds => ds.path === objectPath)
      .map(ds => ds.id)
      .reverse();
    expect(datasets).toEqual(expected);
  });

  it('gets one commit by id', async () => {
    const ds = spec.datasets[1];
    const { commits } = JSON.parse(
      fs.readFileSync(
        path.join(PLATFORM_STATE_DIR, 'lakefs-seed.json'),
        'utf8',
      ),
    ) as { commits: Record<string, string> };
    const commit = await json<Commit>(
      `/repositories/${repo}/commits/${commits[ds.id]}`,
    );
    expect(commit.id).toBe(commits[ds.id]);
    expect(commit.message).toBe(ds.message);
    expect(commit.metadata).toEqual({ dataset: ds.id });
    expect(commit.parents).toHaveLength(1);
  });

  it('serves the seeded CSV at the dataset commit', async () => {
    const ds = spec.datasets[0];
    const { commits } = JSON.parse(
      fs.readFileSync(
        path.join(PLATFORM_STATE_DIR, 'lakefs-seed.json'),
        'utf8',
      ),
    ) as { commits: Record<string, string> };
    const res = await api(
      `/repositories/${repo}/refs/${
        commits[ds.id]
      }/objects?path=${encodeURIComponent(ds.path)}`,
    );
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^transaction_id,/);
    expect(lines.length).toBeGreaterThan(100);
  });

  it('rejects a wrong secret with 401', async () => {
    const res = await api('/repositories', `${env.secretAccessKey}x`);
    expect(res.status).toBe(401);
  });
});
