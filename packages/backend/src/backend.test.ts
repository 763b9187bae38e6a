import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { mcpRequest } from './testing/mcpClient';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';

// Boots the portal's real backend the way `yarn start` does, with the real
// app-config.yaml (in-memory SQLite), in a child process on a free port.

jest.setTimeout(180_000);

const CATALOG_DIR = path.resolve(__dirname, '../../../catalog');

/** A static token whose service subject mlPlatform.servicePrincipals names not. */
const strayToken = randomBytes(24).toString('base64url');

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

describe('the portal backend', () => {
  let backend: BackendProcess;
  let baseUrl: string;
  let guestToken: string;

  const get = (p: string) =>
    fetch(`${baseUrl}${p}`, {
      headers: { authorization: `Bearer ${guestToken}` },
    });

  beforeAll(async () => {
    backend = await startBackendProcess({
      env: {
        APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
          { type: 'static', options: { token: strayToken, subject: 'stray' } },
        ]),
      },
    });
    baseUrl = backend.baseUrl;
    const signIn = () => backend.signInAsGuest();
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
    await backend?.stop();
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
    expect(await res.json()).toEqual({
      items: [],
      totalCount: 0,
      registries: [],
      clusters: [],
    });
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

  it("offers the ML Platform's actions to MCP clients, marked as they are, to signed-in callers only", async () => {
    expect((await mcpRequest(baseUrl, undefined, 'tools/list')).status).toBe(
      401,
    );
    const { result } = await mcpRequest(baseUrl, guestToken, 'tools/list');
    const tools = Object.fromEntries(
      result.tools.map((t: any) => [t.name, t.annotations]),
    );
    expect(tools).toEqual({
      'ml-platform.apply-model-rollout': {
        title: 'Change the traffic of a model deployment',
        destructiveHint: true,
        idempotentHint: false,
        readOnlyHint: false,
        openWorldHint: false,
      },
      'ml-platform.list-model-rollouts': {
        title: 'List the rollouts of a model',
        destructiveHint: false,
        idempotentHint: true,
        readOnlyHint: true,
        openWorldHint: false,
      },
    });
  });

  it('runs an ML Platform action called through MCP with the caller’s permissions', async () => {
    const { result } = await mcpRequest(baseUrl, guestToken, 'tools/call', {
      name: 'ml-platform.list-model-rollouts',
      arguments: { model: 'fraud-detector' },
    });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({ items: [] });
    // With no registry configured, there is no model to change the traffic of.
    const refused = await mcpRequest(baseUrl, guestToken, 'tools/call', {
      name: 'ml-platform.apply-model-rollout',
      arguments: {
        model: 'fraud-detector',
        cluster: 'local',
        namespace: 'ml-prod',
        strategy: 'promote',
        target: { version: '6' },
      },
    });
    expect(refused.result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: "NotFoundError: No registered model named 'fraud-detector'",
        },
      ],
    });
  });

  it('refuses an ML Platform action through MCP to a caller its permissions deny, and says why', async () => {
    const { result } = await mcpRequest(baseUrl, strayToken, 'tools/call', {
      name: 'ml-platform.list-model-rollouts',
      arguments: { model: 'fraud-detector' },
    });
    expect(result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: 'NotAllowedError: Not allowed to read the rollout audit trail: permission ml-platform.audit.read denied',
        },
      ],
    });
  });

  it("searches the catalog from the portal's search", async () => {
    const titles = await eventually(
      async () => {
        const res = await get('/api/search/query?term=fraud');
        const { results } = await res.json();
        return results?.length
          ? results.map((r: any) => r.document.title)
          : undefined;
      },
      'the search index of the catalog',
      150_000,
    );
    expect(titles).toContain('Fraud scorer');
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
