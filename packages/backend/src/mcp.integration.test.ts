import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import {
  kubeAdminRequest,
  kubeRequest,
  mlflowAdminApi,
  platformFilePath,
} from 'platform-tests';
import { mcpRequest } from './testing/mcpClient';
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';
import { registerModel, writeClaim } from './__testUtils__/modelClaims';
import {
  httpRoutesPath,
  routeWeights,
  serveModel,
} from './__testUtils__/servedModel';

// The ML Platform's rollout action as an AI agent calls it: through the
// portal's real MCP endpoint (/api/mcp-actions/v1), on the portal's real
// backend (src/index.ts, the shipped permission policy), against the local
// apiserver and MLflow. The guest, a member of fraud-ml, may change the
// traffic of the model fraud-ml owns and not of recsys-ml's; a service token
// nobody granted anything may change neither. What the suite creates
// (namespace, MLflow models, catalog files) is its own and is deleted
// afterwards.

jest.setTimeout(300_000);

const id = randomUUID().slice(0, 8);
const ns = `test-mcp-${id}`;
const ours = `test-mcp-${id}-ours`;
const theirs = `test-mcp-${id}-theirs`;
const strayToken = randomBytes(24).toString('base64url');

// Tests run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const CATALOG_DIR = path.resolve(__dirname, '../../../catalog');

let tmpDir: string;
let backend: BackendProcess | undefined;
let guest: string;

const api = async (urlPath: string) => {
  const res = await fetch(`${backend!.baseUrl}${urlPath}`, {
    headers: { authorization: `Bearer ${guest}` },
  });
  return res.ok ? res.json() : undefined;
};

const canary = (model: string) => ({
  name: 'ml-platform.apply-model-rollout',
  arguments: {
    model,
    registryId: 'mlflow',
    cluster: 'local',
    namespace: ns,
    strategy: 'canary',
    target: { version: '2', percent: 40 },
  },
});

const resourceVersion = async (model: string) =>
  (await kubeAdminRequest('GET', `${httpRoutesPath(ns)}/${model}`)).metadata
    .resourceVersion;

beforeAll(async () => {
  await kubeAdminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  for (const model of [ours, theirs]) {
    await registerModel(model);
    await serveModel({
      namespace: ns,
      model,
      weights: { '1': 100, '2': 0 },
      entity: model,
    });
  }

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-mcp-'));
  writeClaim(
    path.join(tmpDir, 'ours.yaml'),
    ours,
    ours,
    'group:default/fraud-ml',
  );
  writeClaim(
    path.join(tmpDir, 'theirs.yaml'),
    theirs,
    theirs,
    'group:default/recsys-ml',
  );
  const configFile = path.join(tmpDir, 'app-config.mcp.yaml');
  fs.writeFileSync(
    configFile,
    yaml.stringify({
      backend: {
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token: strayToken, subject: 'stray' },
            },
          ],
        },
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(CATALOG_DIR, 'org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: path.join(tmpDir, 'ours.yaml') },
          { type: 'file', target: path.join(tmpDir, 'theirs.yaml') },
        ],
      },
      mlPlatform: {
        ownership: { trustedLocations: [`file:${tmpDir}/*`] },
      },
    }),
  );

  backend = await startBackendProcess({
    configs: [platformFilePath('app-config.platform.yaml'), configFile],
  });
  guest = await backend.signInAsGuest();
  // Sign-in reads the guest's teams from the catalog: again, once it has them.
  await eventually(
    async () => {
      const user = await api(
        '/api/catalog/entities/by-name/user/default/guest',
      );
      return user?.relations?.some(
        (r: { targetRef: string }) => r.targetRef === 'group:default/fraud-ml',
      )
        ? true
        : undefined;
    },
    'the guest and their team in the catalog',
    240_000,
  );
  guest = await backend.signInAsGuest();
  for (const model of [ours, theirs]) {
    await eventually(
      async () => {
        const [entity, details] = await Promise.all([
          api(`/api/catalog/entities/by-name/component/default/${model}`),
          api(`/api/ml-platform/models/${model}?registry=mlflow`),
        ]);
        return entity &&
          details?.deployments?.some((d: any) => d.namespace === ns)
          ? true
          : undefined;
      },
      `${model}, its entity and its deployment`,
      240_000,
    );
  }
});

afterAll(async () => {
  await backend?.stop();
  await kubeRequest('DELETE', `/api/v1/namespaces/${ns}`);
  for (const name of [ours, theirs]) {
    await mlflowAdminApi('DELETE', 'registered-models/delete', { name }).catch(
      () => undefined,
    );
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe('the rollout action through MCP', () => {
  it('is listed to an agent as destructive and not idempotent', async () => {
    const { result } = await mcpRequest(backend!.baseUrl, guest, 'tools/list');
    expect(
      result.tools.find(
        (t: any) => t.name === 'ml-platform.apply-model-rollout',
      ),
    ).toMatchObject({
      annotations: {
        destructiveHint: true,
        idempotentHint: false,
        readOnlyHint: false,
      },
      inputSchema: {
        type: 'object',
        required: expect.arrayContaining(['model', 'strategy']),
      },
    });
  });

  it("changes the traffic of the caller's team's model, as the caller", async () => {
    const { result } = await mcpRequest(
      backend!.baseUrl,
      guest,
      'tools/call',
      canary(ours),
    );
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent.after.versions).toEqual([
      { version: '1', weight: 60, percent: 60 },
      { version: '2', weight: 40, percent: 40 },
    ]);
    expect(await routeWeights(ns, ours)).toEqual([60, 40]);
    expect(result.structuredContent.resourceVersion).toBe(
      await resourceVersion(ours),
    );

    const history = await mcpRequest(backend!.baseUrl, guest, 'tools/call', {
      name: 'ml-platform.list-model-rollouts',
      arguments: { model: ours, namespace: ns },
    });
    expect(history.result.structuredContent.items[0]).toMatchObject({
      actor: 'user:default/guest',
      strategy: 'canary',
      result: 'succeeded',
    });
  });

  it("refuses another team's model, says why, and leaves it as it was", async () => {
    const before = await resourceVersion(theirs);
    const { result } = await mcpRequest(
      backend!.baseUrl,
      guest,
      'tools/call',
      canary(theirs),
    );
    expect(result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: `NotAllowedError: Not allowed to change the traffic of model '${theirs}' of registry 'mlflow': permission ml-platform.rollout.execute denied on component:default/${theirs}`,
        },
      ],
    });
    expect(await resourceVersion(theirs)).toBe(before);
    expect(await routeWeights(ns, theirs)).toEqual([100, 0]);
  });

  it('refuses a service token that was granted nothing, on any model', async () => {
    const before = await resourceVersion(ours);
    const { result } = await mcpRequest(
      backend!.baseUrl,
      strayToken,
      'tools/call',
      canary(ours),
    );
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toMatch(
      /^NotAllowedError: Not allowed to change the traffic of model .*: permission ml-platform\.rollout\.execute denied on component:default\//,
    );
    expect(await resourceVersion(ours)).toBe(before);
  });
});
