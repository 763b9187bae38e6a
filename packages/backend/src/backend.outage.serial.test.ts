import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fetchAcrossRestarts, platformFilePath } from 'platform-tests';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';

// Stops MLflow and then the kube-apiserver under the running portal: the
// answer must degrade to what is still known, name what failed, and heal by
// itself when the server is back. It stops shared servers, so
// scripts/test.sh runs it alone, after the parallel suites.

jest.setTimeout(10 * 60_000);

const SCRIPTS = path.resolve(__dirname, '../../../scripts/platform');
const platform = (component: string, command: string) =>
  execFileSync(path.join(SCRIPTS, `${component}.sh`), [command], {
    stdio: 'inherit',
  });

describe('the portal backend when a platform server goes away', () => {
  let backend: BackendProcess;
  let token: string;

  const get = async (p: string) => {
    const res = await fetchAcrossRestarts(
      `${backend.baseUrl}/api/ml-platform${p}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    return { status: res.status, body: await res.json() };
  };
  const refresh = () =>
    fetchAcrossRestarts(`${backend.baseUrl}/api/ml-platform/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    backend = await startBackendProcess({
      configs: [platformFilePath('app-config.platform.yaml')],
      // Refreshed twice within seconds, without the rate limit's wait.
      env: { APP_CONFIG_mlPlatform_refresh_minInterval: 'PT0S' },
    });
    token = await backend.signInAsGuest();
    await eventually(async () => {
      const { body } = await get('/models/fraud-detector');
      return body.model && body.clusters?.[0]?.ok && body.deployments.length
        ? true
        : undefined;
    }, 'the first read of MLflow and the cluster');
  });

  afterAll(async () => {
    // Whatever happened above, leave the platform running for the suites after.
    platform('mlflow', 'start');
    platform('kube', 'start');
    await backend?.stop();
  });

  it('keeps serving the last read of MLflow while it is down, names the failure, and recovers', async () => {
    const before = await get('/models');
    expect(before.body.registries).toEqual([
      expect.objectContaining({ id: 'mlflow', ok: true }),
    ]);

    platform('mlflow', 'stop');
    expect((await refresh()).status).toBe(204);
    const during = await get('/models');
    expect(during.status).toBe(200);
    expect(during.body.registries).toEqual([
      expect.objectContaining({
        id: 'mlflow',
        ok: false,
        error: expect.stringMatching(/^MLflow .* failed: .*ECONNREFUSED/),
      }),
    ]);
    // The models read before the outage are still there, marked as stale by
    // the registry's status, not silently dropped.
    expect(during.body.items.map((m: any) => m.name)).toEqual(
      before.body.items.map((m: any) => m.name),
    );
    // The clusters are unaffected.
    expect(during.body.clusters).toEqual([
      expect.objectContaining({ ok: true }),
    ]);

    platform('mlflow', 'start');
    expect((await refresh()).status).toBe(204);
    const after = await get('/models');
    expect(after.body.registries).toEqual([
      expect.objectContaining({ id: 'mlflow', ok: true }),
    ]);
    expect(after.body.registries[0].error).toBeUndefined();
  });

  it('reports the cluster unreachable while the apiserver is down, keeps MLflow data, and resyncs after', async () => {
    const before = await get('/models/fraud-detector');
    expect(before.body.deployments.length).toBeGreaterThan(0);

    platform('kube', 'stop');
    const during = await eventually(async () => {
      const { body } = await get('/models/fraud-detector');
      return body.clusters?.[0]?.ok === false ? body : undefined;
    }, 'the cluster to be reported down');
    expect(during.clusters).toEqual([
      expect.objectContaining({
        name: 'local',
        ok: false,
        error: expect.stringMatching(/ECONNREFUSED|socket hang up|ECONNRESET/),
      }),
    ]);
    // MLflow's side of the answer is whole.
    expect(during.versions.map((v: any) => v.version)).toEqual(
      before.body.versions.map((v: any) => v.version),
    );
    expect(during.registries[0].ok).toBe(true);

    platform('kube', 'start');
    const after = await eventually(
      async () => {
        const { body } = await get('/models/fraud-detector');
        return body.clusters?.[0]?.ok ? body : undefined;
      },
      'the cluster to resync',
      180_000,
    );
    expect(after.clusters[0].error).toBeUndefined();
    const split = (body: any) =>
      body.deployments.map((d: any) => ({
        at: `${d.cluster}/${d.namespace}`,
        versions: d.versions.map((v: any) => [v.version, v.percent]),
      }));
    expect(split(after)).toEqual(split(before.body));
  });
});
