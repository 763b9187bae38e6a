import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import yaml from 'yaml';

// Boots the portal's real backend the way `yarn start` does (src/index.ts,
// every plugin it wires, the real app-config.yaml with in-memory SQLite), in a
// child process on a free port.

jest.setTimeout(180_000);

const CATALOG_DIR = path.resolve(__dirname, '../../../catalog');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function catalogEntityRefs(): string[] {
  return fs
    .readdirSync(CATALOG_DIR)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      yaml.parseAllDocuments(
        fs.readFileSync(path.join(CATALOG_DIR, f), 'utf8'),
      ),
    )
    .map(doc => doc.toJS())
    .map(
      e =>
        `${e.kind.toLocaleLowerCase('en-US')}:${
          e.metadata.namespace ?? 'default'
        }/${e.metadata.name}`,
    );
}

async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`Timed out waiting for ${what}: ${last}`);
}

describe('the portal backend', () => {
  let backend: ChildProcess;
  let baseUrl: string;
  let guestToken: string;
  let output = '';

  const get = (p: string) =>
    fetch(`${baseUrl}${p}`, {
      headers: { authorization: `Bearer ${guestToken}` },
    });

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    backend = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        'src/index.ts',
      ],
      {
        cwd: path.resolve(__dirname, '..'),
        env: {
          ...process.env,
          NODE_ENV: 'development',
          APP_CONFIG_backend_baseUrl: JSON.stringify(baseUrl),
          APP_CONFIG_backend_listen_port: String(port),
          APP_CONFIG_backend_listen_host: JSON.stringify('127.0.0.1'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    backend.stdout!.on('data', d => (output += d));
    backend.stderr!.on('data', d => (output += d));
    const exited = new Promise<never>((_, reject) =>
      backend.once('exit', code =>
        reject(new Error(`backend exited with ${code}:\n${output}`)),
      ),
    );
    await Promise.race([
      exited,
      eventually(async () => {
        const res = await fetch(`${baseUrl}/api/ml-platform/health`);
        return res.ok ? true : undefined;
      }, 'the backend to start'),
    ]);

    const signIn = async () => {
      const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      expect(res.status).toBe(200);
      return (await res.json()).backstageIdentity.token as string;
    };
    // Sign-in resolves group membership from the catalog, so sign in again
    // once the guest's user entity and its memberships are there.
    guestToken = await signIn();
    await eventually(async () => {
      const res = await get('/api/catalog/entities/by-name/user/default/guest');
      const user = res.ok ? await res.json() : undefined;
      return user?.relations?.some(
        (r: { type: string; targetRef: string }) =>
          r.type === 'memberOf' && r.targetRef === 'group:default/fraud-ml',
      )
        ? true
        : undefined;
    }, 'user:default/guest with its memberships');
    guestToken = await signIn();
  });

  afterAll(async () => {
    if (backend && backend.exitCode === null) {
      const exit = new Promise(r => backend.once('exit', r));
      backend.kill('SIGTERM');
      await exit;
    }
  });

  it('answers the ML Platform health check without credentials', async () => {
    const res = await fetch(`${baseUrl}/api/ml-platform/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lists models only for signed-in callers, honestly empty with no registry configured', async () => {
    expect((await fetch(`${baseUrl}/api/ml-platform/models`)).status).toBe(401);
    const res = await get('/api/ml-platform/models');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], registries: [] });
  });

  it('ingests every entity of catalog/', async () => {
    const expected = catalogEntityRefs();
    expect(expected).toEqual(
      expect.arrayContaining([
        'group:default/ml-platform',
        'system:default/ml-platform',
        'component:default/mlflow',
        'component:default/zenml',
        'component:default/lakefs',
        'component:default/fraud-scorer',
      ]),
    );
    const missing = await eventually(async () => {
      const res = await fetch(`${baseUrl}/api/catalog/entities/by-refs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${guestToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ entityRefs: expected }),
      });
      const { items } = await res.json();
      const absent = expected.filter((_, i) => !items[i]);
      return absent.length === 0 ? absent : undefined;
    }, 'the catalog to ingest catalog/');
    expect(missing).toEqual([]);
  });

  it('offers the custom scaffolder actions of the ML Platform module', async () => {
    const res = await get('/api/scaffolder/v2/actions');
    expect(res.status).toBe(200);
    const ids = (await res.json()).map((a: { id: string }) => a.id);
    expect(ids).toContain('ml-platform:deployment:labels');
    expect(ids).toContain('fetch:template');
  });

  it('refuses the guest what the permission policy denies, and changes nothing', async () => {
    const entity = await eventually(async () => {
      const res = await get(
        '/api/catalog/entities/by-name/component/default/product-ranker',
      );
      return res.status === 200 ? res.json() : undefined;
    }, 'component:default/product-ranker');

    const del = await fetch(
      `${baseUrl}/api/catalog/entities/by-uid/${entity.metadata.uid}`,
      { method: 'DELETE', headers: { authorization: `Bearer ${guestToken}` } },
    );
    expect(del.status).toBe(403);
    expect(
      (
        await get(
          '/api/catalog/entities/by-name/component/default/product-ranker',
        )
      ).status,
    ).toBe(200);
  });

  it('lets a model owner, and only the owner, change its traffic', async () => {
    await eventually(async () => {
      const res = await get(
        '/api/catalog/entities/by-name/component/default/fraud-scorer',
      );
      return res.status === 200 ? true : undefined;
    }, 'component:default/fraud-scorer');

    const authorize = async (resourceRef: string) => {
      const res = await fetch(`${baseUrl}/api/permission/authorize`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${guestToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          items: [
            {
              id: resourceRef,
              permission: {
                type: 'resource',
                name: 'ml-platform.rollout.execute',
                attributes: { action: 'update' },
                resourceType: 'catalog-entity',
              },
              resourceRef,
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      return (await res.json()).items[0].result;
    };

    // The demo guest is a member of fraud-ml, which owns fraud-scorer.
    expect(await authorize('component:default/fraud-scorer')).toBe('ALLOW');
    expect(await authorize('component:default/product-ranker')).toBe('DENY');
  });
});
