import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

/**
 * Against the real ZenML server started by scripts/platform/zenml.sh and seeded by
 * `zenml.sh seed` from scripts/platform/demo-platform.json.
 */
type ZenmlEnv = {
  url: string;
  username: string;
  password: string;
  dashboardUrl: string;
};

type Spec = {
  models: { name: string; pipeline: string; versions: { version: number }[] }[];
};

type Page<T> = {
  index: number;
  max_size: number;
  total_pages: number;
  total: number;
  items: T[];
};

type Run = {
  id: string;
  name: string;
  body: { status: string; pipeline_id?: string };
  resources?: {
    pipeline?: { id: string; name: string };
    model_version?: {
      name: string;
      body: { number: number; model: { name: string } };
    };
  };
};

type SeedFile = {
  project: string;
  models: Record<
    string,
    {
      pipeline: string;
      versions: Record<string, { runId: string; runName: string }>;
    }
  >;
};

const env = readPlatformFile<ZenmlEnv>('zenml');
const spec = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../scripts/platform/demo-platform.json'),
    'utf8',
  ),
) as Spec;
const seed = JSON.parse(
  fs.readFileSync(path.join(PLATFORM_STATE_DIR, 'zenml-seed.json'), 'utf8'),
) as SeedFile;

function login(username: string, password: string): Promise<Response> {
  return fetch(`${env.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
}

describe('ZenML (real server)', () => {
  let token: string;

  async function api<T>(apiPath: string): Promise<T> {
    const res = await fetch(`${env.url}/api/v1${apiPath}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    if (!res.ok) {
      throw new Error(`GET ${apiPath}: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    // OAuth2 password flow, as the dashboard and the Backstage backend log in.
    const res = await login(env.username, env.password);
    if (res.status !== 200) {
      throw new Error(
        `login as ${env.username}: ${res.status} ${await res.text()}`,
      );
    }
    const body = (await res.json()) as {
      access_token: string;
      token_type: string;
    };
    if (body.token_type.toLowerCase() !== 'bearer' || !body.access_token) {
      throw new Error(`login gave no bearer token: ${JSON.stringify(body)}`);
    }
    token = body.access_token;
  });

  it('lists the seeded pipeline runs, paged', async () => {
    const expected = spec.models.reduce((n, m) => n + m.versions.length, 0);
    const first = await api<Page<Run>>('/runs?size=5&sort_by=asc:created');
    expect(first.total).toBeGreaterThanOrEqual(expected);
    expect(first.items).toHaveLength(5);
    expect(first.total_pages).toBe(Math.ceil(first.total / 5));

    const all: Run[] = [];
    for (let page = 1; page <= first.total_pages; page++) {
      all.push(
        ...(
          await api<Page<Run>>(`/runs?size=5&page=${page}&sort_by=asc:created`)
        ).items,
      );
    }
    const byId = new Map(all.map(r => [r.id, r]));
    for (const model of spec.models) {
      for (const v of model.versions) {
        const seeded = seed.models[model.name].versions[String(v.version)];
        const run = byId.get(seeded.runId);
        expect(run?.name).toBe(seeded.runName);
        expect(run?.body.status).toBe('completed');
      }
    }
  });

  it('runs one pipeline per model, each run linked to the model version of its number', async () => {
    const pipelines = await api<Page<{ id: string; name: string }>>(
      '/pipelines?size=100',
    );
    expect(pipelines.items.map(p => p.name)).toEqual(
      expect.arrayContaining(spec.models.map(m => m.pipeline)),
    );

    const model = spec.models.find(m => m.name === 'fraud-detector')!;
    const seeded = seed.models[model.name].versions['5'];
    const run = await api<Run>(`/runs/${seeded.runId}?hydrate=true`);
    expect(run.resources?.pipeline?.name).toBe(model.pipeline);
    expect(run.resources?.model_version?.body.model.name).toBe(model.name);
    expect(run.resources?.model_version?.body.number).toBe(5);

    const versions = await api<Page<{ name: string }>>(
      `/model_versions?size=100&model=${encodeURIComponent(model.name)}`,
    );
    expect(versions.total).toBe(model.versions.length);
  });

  it('refuses a wrong password and requests without a token', async () => {
    const wrong = await login(env.username, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('access_token');

    const anonymous = await fetch(`${env.url}/api/v1/runs`);
    expect(anonymous.status).toBe(401);
  });
});
