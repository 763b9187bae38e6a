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
import {
  BackendProcess,
  eventually,
  startBackendProcess,
} from './testing/startBackendProcess';
import {
  localDatabaseConfig,
  withLocalDatabase,
} from './__testUtils__/withLocalDatabase';
import {
  httpRoutesPath,
  routeWeights,
  serveModel,
} from './__testUtils__/servedModel';
import { registerModel, writeClaim } from './__testUtils__/modelClaims';

// The ways around the rollout permission, tried for real: the portal's real
// backend (src/index.ts, the shipped permission policy) on PostgreSQL, against
// the local apiserver and MLflow, signed in as the guest, a member of
// fraud-ml (not the platform team). Each attempt must be refused, say why,
// and leave the object it aimed at with the resourceVersion it had. What the
// suite creates (namespace, MLflow models, catalog files, databases) is its
// own and is deleted afterwards; the demo objects are only read.

jest.setTimeout(600_000);

const id = randomUUID().slice(0, 8);
const ns = `test-security-${id}`;
/** Claimed by a trusted entity the guest's team owns: gradual rollouts. */
const owned = `test-security-${id}-owned`;
/** No entity claims it; its MLflow owner tag names the guest's team. */
const tagged = `test-security-${id}-tagged`;
const dbPrefix = `ml_sec_${id}_`;

const automationToken = randomBytes(24).toString('base64url');
const strayToken = randomBytes(24).toString('base64url');

const ROLLOUT =
  '/apis/argoproj.io/v1alpha1/namespaces/ml-prod/rollouts/product-ranker';
// Tests run from source, never from a bundle.
// eslint-disable-next-line no-restricted-syntax
const CATALOG_DIR = path.resolve(__dirname, '../../../catalog');

let tmpDir: string;
let trustedDir: string;
let publishedDir: string;
let backend: BackendProcess | undefined;
let guest: string;

const call = async (
  method: string,
  urlPath: string,
  init: { body?: unknown; token?: string | null; type?: string } = {},
) => {
  const token = init.token === undefined ? guest : init.token;
  const res = await fetch(`${backend!.baseUrl}${urlPath}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(init.body !== undefined && {
        'content-type': init.type ?? 'application/json',
      }),
      'backstage-kubernetes-cluster': 'local',
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
};

const resourceVersion = async (objectPath: string) =>
  (await kubeAdminRequest('GET', objectPath)).metadata.resourceVersion;

/** The newest audit record of a model in a namespace, as the API shows it. */
const latestAudit = async (model: string, namespace: string) =>
  (
    await call(
      'GET',
      `/api/ml-platform/models/${model}/rollouts?registry=mlflow&namespace=${namespace}&limit=1`,
    )
  ).body.items[0];

const auditRows = () =>
  withLocalDatabase(`${dbPrefix}ml-platform`, async client =>
    Number(
      (
        await client.query<{ n: string }>(
          'SELECT count(*) AS n FROM ml_platform_rollout_audit',
        )
      ).rows[0].n,
    ),
  );

/** Half the tagged model's traffic to its version 2. */
const taggedCanary = () => ({
  model: tagged,
  registryId: 'mlflow',
  cluster: 'local',
  namespace: ns,
  strategy: 'canary',
  target: { version: '2', percent: 50 },
});

/** The ml-model Resource the catalog module makes of the tagged model. */
const taggedResource = () =>
  eventually(async () => {
    const { body } = await call(
      'GET',
      `/api/catalog/entities?filter=kind=resource,metadata.annotations.ml-platform.io/registered-model=mlflow/${tagged}`,
    );
    return body?.[0];
  }, "the tagged model's ml-model Resource");

beforeAll(async () => {
  await kubeAdminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await registerModel(owned);
  await registerModel(tagged, { owner: 'fraud-ml' });
  for (const model of [owned, tagged]) {
    await serveModel({
      namespace: ns,
      model,
      weights: { '1': 100, '2': 0 },
      entity: model,
    });
  }
  // A Service anyone with a namespace may label as a tool, pointing the
  // backend's probe at a port of its choice.
  await kubeAdminRequest('POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'scanner',
      labels: { 'ml-platform.io/tool': 'mlflow' },
      annotations: { 'ml-platform.io/dashboard-url': 'http://127.0.0.1:1' },
    },
    spec: { ports: [{ port: 8080 }] },
  });

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-security-'));
  trustedDir = path.join(tmpDir, 'trusted');
  fs.mkdirSync(trustedDir);
  publishedDir = path.join(tmpDir, 'published');
  fs.mkdirSync(publishedDir);
  writeClaim(
    path.join(trustedDir, 'owned.yaml'),
    owned,
    owned,
    'group:default/fraud-ml',
  );
  const platformMlflow = yaml.parse(
    fs.readFileSync(platformFilePath('app-config.platform.yaml'), 'utf8'),
  ).mlPlatform.registries.mlflow[0];
  const configFile = path.join(tmpDir, 'app-config.security.yaml');
  fs.writeFileSync(
    configFile,
    yaml.stringify({
      backend: {
        database: localDatabaseConfig(dbPrefix),
        auth: {
          // As production configures its automation token: restricted to
          // the ML Platform API (and here a second token nobody named).
          externalAccess: [automationToken, strayToken].map((token, i) => ({
            type: 'static',
            options: { token, subject: i === 0 ? 'ci-reader' : 'stray' },
            accessRestrictions: [{ plugin: 'ml-platform' }],
          })),
        },
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(CATALOG_DIR, 'org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: path.join(CATALOG_DIR, 'models.yaml') },
          { type: 'file', target: path.join(trustedDir, 'owned.yaml') },
        ],
        // The entity provider runs soon after the first read of MLflow.
        providers: {
          mlPlatform: {
            schedule: {
              frequency: { seconds: 10 },
              timeout: { minutes: 1 },
              initialDelay: { seconds: 5 },
            },
          },
        },
      },
      mlPlatform: {
        // The local MLflow twice, under two ids: every model is in two
        // registries, which a deployment without a registry label must not
        // both count.
        registries: {
          mlflow: [
            platformMlflow,
            {
              id: 'mirror',
              baseUrl: platformMlflow.baseUrl,
              auth: platformMlflow.auth,
            },
          ],
        },
        ownership: {
          trustedLocations: [`file:${CATALOG_DIR}/*`, `file:${trustedDir}/*`],
        },
        // Where the demo lets anyone register file locations: what the
        // templates publish. The guest's own import lands here too.
        scaffolder: {
          publish: { provider: 'local', directory: publishedDir },
        },
        servicePrincipals: [
          {
            subject: 'ci-reader',
            permissions: ['ml-platform.model.read'],
          },
        ],
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
      const { body } = await call(
        'GET',
        '/api/catalog/entities/by-name/user/default/guest',
      );
      return body?.relations?.some(
        (r: { targetRef: string }) => r.targetRef === 'group:default/fraud-ml',
      )
        ? true
        : undefined;
    },
    'the guest and their team in the catalog',
    240_000,
  );
  guest = await backend.signInAsGuest();
  await eventually(
    async () => {
      const { body } = await call(
        'GET',
        `/api/ml-platform/models/${owned}?registry=mlflow`,
      );
      return body?.deployments?.some((d: any) => d.namespace === ns)
        ? true
        : undefined;
    },
    'the scratch models and their deployments',
    240_000,
  );
});

afterAll(async () => {
  await backend?.stop();
  await kubeRequest('DELETE', `/api/v1/namespaces/${ns}`);
  for (const name of [owned, tagged]) {
    await mlflowAdminApi('DELETE', 'registered-models/delete', { name }).catch(
      () => undefined,
    );
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  const databases = await withLocalDatabase('postgres', async client =>
    (
      await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [dbPrefix],
      )
    ).rows.map(r => r.datname),
  );
  for (const name of databases) {
    // A session the server itself still has open (autovacuum) may refuse
    // the first try.
    for (let attempt = 1; ; attempt++) {
      try {
        await withLocalDatabase('postgres', client =>
          client.query(`DROP DATABASE "${name}" WITH (FORCE)`),
        );
        break;
      } catch (e) {
        if (attempt === 5) throw e;
        await new Promise(r => setTimeout(r, 1000));
      }
    }
  }
});

describe('the Kubernetes proxy', () => {
  it("refuses a non-admin's PATCH of another team's Rollout, which stays as it was", async () => {
    const before = await resourceVersion(ROLLOUT);
    const res = await call('PATCH', `/api/kubernetes/proxy${ROLLOUT}`, {
      body: { spec: { paused: false } },
      type: 'application/merge-patch+json',
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'Unauthorized',
    });
    expect(await resourceVersion(ROLLOUT)).toBe(before);
  });

  it('is closed to a service token restricted to the ML Platform API', async () => {
    const before = await resourceVersion(ROLLOUT);
    const res = await call('PATCH', `/api/kubernetes/proxy${ROLLOUT}`, {
      body: { spec: { paused: false } },
      type: 'application/merge-patch+json',
      token: automationToken,
    });
    expect(res.status).toBe(403);
    expect(await resourceVersion(ROLLOUT)).toBe(before);
  });
});

describe("claiming another team's model", () => {
  it('gains nothing from an entity the guest registers, whichever annotation it uses', async () => {
    // The guest's own catalog import: a file location where the demo allows
    // one, outside the trusted locations.
    const claimFile = path.join(publishedDir, 'claim.yaml');
    const claimName = `claim-${id}`;
    writeClaim(
      claimFile,
      claimName,
      'product-ranker',
      'group:default/fraud-ml',
    );
    const registered = await call('POST', '/api/catalog/locations', {
      body: { type: 'file', target: claimFile },
    });
    expect(registered.status).toBe(201);
    await eventually(
      async () => {
        const res = await call(
          'GET',
          `/api/catalog/entities/by-name/component/default/${claimName}`,
        );
        return res.status === 200 ? true : undefined;
        // A registered location is processed on the catalog's next pass,
        // minutes away on a busy machine.
      },
      'the claiming entity in the catalog',
      300_000,
    );

    const before = await resourceVersion(ROLLOUT);
    const rows = await auditRows();
    const res = await call('POST', '/api/ml-platform/rollouts', {
      body: {
        model: 'product-ranker',
        registryId: 'mlflow',
        cluster: 'local',
        namespace: 'ml-prod',
        strategy: 'promote',
        target: { version: '4' },
      },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      name: 'NotAllowedError',
      message:
        "Not allowed to change the traffic of model 'product-ranker' of registry 'mlflow': permission ml-platform.rollout.execute denied on component:default/product-ranker",
    });
    expect(await resourceVersion(ROLLOUT)).toBe(before);
    expect(await auditRows()).toBe(rows + 1);
    expect(await latestAudit('product-ranker', 'ml-prod')).toMatchObject({
      actor: 'user:default/guest',
      strategy: 'promote',
      result: 'refused',
      error: res.body.error.message,
    });
  });

  it("gains nothing from the model's MLflow owner tag", async () => {
    const resource = await taggedResource();
    expect(resource.spec.owner).toBe('group:default/ml-platform');
    expect(resource.metadata.annotations['ml-platform.io/owner-tag']).toBe(
      'fraud-ml',
    );

    const route = `${httpRoutesPath(ns)}/${tagged}`;
    const before = await resourceVersion(route);
    const res = await call('POST', '/api/ml-platform/rollouts', {
      body: taggedCanary(),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `Not allowed to change the traffic of model '${tagged}' of registry 'mlflow': permission ml-platform.rollout.execute denied on resource:default/${resource.metadata.name}`,
    );
    expect(await resourceVersion(route)).toBe(before);
    expect(await routeWeights(ns, tagged)).toEqual([100, 0]);
    expect(await latestAudit(tagged, ns)).toMatchObject({
      result: 'refused',
      error: res.body.error.message,
    });
  });
});

describe('service principals', () => {
  it('get only what mlPlatform.servicePrincipals grants their subject', async () => {
    await taggedResource();
    const route = `${httpRoutesPath(ns)}/${tagged}`;
    const before = await resourceVersion(route);
    const rows = await auditRows();
    const canary = taggedCanary();

    // Granted the model list only.
    expect(
      (await call('GET', '/api/ml-platform/models', { token: automationToken }))
        .status,
    ).toBe(200);
    const rollout = await call('POST', '/api/ml-platform/rollouts', {
      body: canary,
      token: automationToken,
    });
    expect(rollout.status).toBe(403);
    expect(rollout.body.error.message).toMatch(
      /^Not allowed to change the traffic of model .*: permission ml-platform\.rollout\.execute denied on resource:default\//,
    );
    for (const [method, urlPath] of [
      ['POST', '/api/ml-platform/refresh'],
      ['GET', `/api/ml-platform/models/${tagged}/rollouts`],
    ]) {
      const res = await call(method, urlPath, { token: automationToken });
      expect([urlPath, res.status]).toEqual([urlPath, 403]);
    }

    // A token nobody granted anything: refused everywhere.
    for (const [method, urlPath, body] of [
      ['GET', '/api/ml-platform/models', undefined],
      ['GET', '/api/ml-platform/tools', undefined],
      ['POST', '/api/ml-platform/rollouts', canary],
    ] as const) {
      const res = await call(method, urlPath, { body, token: strayToken });
      expect([urlPath, res.status]).toEqual([urlPath, 403]);
    }
    // Nobody without a token.
    expect(
      (await call('GET', '/api/ml-platform/models', { token: null })).status,
    ).toBe(401);

    expect(await resourceVersion(route)).toBe(before);
    // The two refused rollouts are on record; nothing else was written.
    expect(await auditRows()).toBe(rows + 2);
    expect(await latestAudit(tagged, ns)).toMatchObject({
      actor: 'service:stray',
      result: 'refused',
    });
  });
});

describe('gradual rollouts', () => {
  const route = `${httpRoutesPath(ns)}/${owned}`;
  const start = (waitSeconds: number) =>
    call('POST', '/api/ml-platform/rollouts/gradual', {
      body: {
        model: owned,
        registryId: 'mlflow',
        cluster: 'local',
        namespace: ns,
        target: { version: '2' },
        steps: [
          { percent: 30, waitSeconds },
          { percent: 100, waitSeconds: 0 },
        ],
      },
    });
  const untilNot = (rolloutId: string, state: string) =>
    eventually(
      async () => {
        const { body } = await call(
          'GET',
          `/api/ml-platform/rollouts/gradual/${rolloutId}`,
        );
        return body.state !== state ? body : undefined;
      },
      `the gradual rollout to leave ${state}`,
      90_000,
    );

  it('pauses, and says why in the audit trail, instead of overwriting a rollback by hand', async () => {
    const started = await start(10);
    expect([started.status, started.body.error?.message]).toEqual([
      201,
      undefined,
    ]);
    expect(await routeWeights(ns, owned)).toEqual([70, 30]);

    // The emergency rollback, straight to the apiserver.
    const patched = await kubeRequest(
      'PATCH',
      route,
      [
        {
          op: 'replace',
          path: '/spec/rules/0/backendRefs/0/weight',
          value: 100,
        },
        { op: 'replace', path: '/spec/rules/0/backendRefs/1/weight', value: 0 },
      ],
      'application/json-patch+json',
    );
    expect(patched.status).toBe(200);

    const paused = await untilNot(started.body.id, 'running');
    expect(paused).toMatchObject({ state: 'paused', currentStep: 0 });
    expect(paused.error).toContain(
      `was changed outside it since step 1 (which left 1 70%, 2 30%; now 1 100%). Nothing was applied.`,
    );
    expect(await resourceVersion(route)).toBe(
      patched.body.metadata.resourceVersion,
    );
    expect(await routeWeights(ns, owned)).toEqual([100, 0]);
    expect(await latestAudit(owned, ns)).toMatchObject({
      actor: 'user:default/guest',
      result: 'refused',
      error: paused.error,
    });

    const aborted = await call(
      'POST',
      `/api/ml-platform/rollouts/gradual/${started.body.id}/abort`,
    );
    expect(aborted.body.state).toBe('aborted');
  });

  it("refuses the next step once the creator's team no longer owns the model", async () => {
    const started = await start(15);
    expect(started.status).toBe(201);
    expect(await routeWeights(ns, owned)).toEqual([70, 30]);

    // The model moves to another team in its (trusted) repository.
    writeClaim(
      path.join(trustedDir, 'owned.yaml'),
      owned,
      owned,
      'group:default/recsys-ml',
    );
    const refreshed = await call('POST', '/api/catalog/refresh', {
      body: { entityRef: `component:default/${owned}` },
    });
    expect(refreshed.status).toBe(200);
    await eventually(async () => {
      const { body } = await call(
        'GET',
        `/api/catalog/entities/by-name/component/default/${owned}`,
      );
      return body?.spec?.owner === 'group:default/recsys-ml' ? true : undefined;
    }, 'the new owner in the catalog');
    const before = await resourceVersion(route);

    const failed = await untilNot(started.body.id, 'running');
    expect(failed).toMatchObject({ state: 'failed', currentStep: 0 });
    expect(failed.error).toBe(
      `Step 2 of 2 (100% to version 2) failed: The creator may no longer change the traffic of model '${owned}': permission ml-platform.rollout.execute denied on component:default/${owned}`,
    );
    expect(await resourceVersion(route)).toBe(before);
    expect(await routeWeights(ns, owned)).toEqual([70, 30]);
    expect(await latestAudit(owned, ns)).toMatchObject({
      actor: 'user:default/guest',
      result: 'refused',
      error: expect.stringContaining(
        'The creator may no longer change the traffic',
      ),
    });
  });
});

describe('smaller holes', () => {
  it('answers 400 for a 256-character namespace on PostgreSQL, writing nothing', async () => {
    const rows = await auditRows();
    const res = await call('POST', '/api/ml-platform/rollouts', {
      body: {
        model: tagged,
        registryId: 'mlflow',
        cluster: 'local',
        namespace: 'n'.repeat(256),
        strategy: 'canary',
        target: { version: '2', percent: 10 },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      message:
        'Invalid body: namespace: String must contain at most 63 character(s)',
    });
    const long = await call(
      'GET',
      `/api/ml-platform/models/${'m'.repeat(256)}`,
    );
    expect(long.status).toBe(400);
    expect(await auditRows()).toBe(rows);
  });

  it("counts a deployment without a registry label for the default registry's model only", async () => {
    const deployments = async (registry: string) =>
      (
        await call(
          'GET',
          `/api/ml-platform/models/fraud-detector?registry=${registry}`,
        )
      ).body.deployments.map((d: { namespace: string }) => d.namespace);
    expect((await deployments('mlflow')).sort()).toEqual([
      'ml-prod',
      'ml-staging',
    ]);
    expect(await deployments('mirror')).toEqual([]);

    // The guest's team owns fraud-scorer, which names the model in every
    // registry; still the mirror's model has no deployment to change.
    const route = `${httpRoutesPath('ml-prod')}/fraud-scorer`;
    const before = await resourceVersion(route);
    const res = await call('POST', '/api/ml-platform/rollouts', {
      body: {
        model: 'fraud-detector',
        registryId: 'mirror',
        cluster: 'local',
        namespace: 'ml-prod',
        strategy: 'canary',
        target: { version: '6', percent: 50 },
      },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      "Model 'fraud-detector' has no deployment in local/ml-prod",
    );
    expect(await resourceVersion(route)).toBe(before);
  });

  it('matches no model for an alias that every object has as a key', async () => {
    const names = async (alias: string) =>
      (
        await call('GET', `/api/ml-platform/models?alias=${alias}`)
      ).body.items.map((m: { name: string }) => m.name);
    expect(await names('champion')).toEqual(
      expect.arrayContaining(['fraud-detector']),
    );
    expect(await names('constructor')).toEqual([]);
    expect(await names('__proto__')).toEqual([]);
  });

  it('reads the registries on request at most once per interval', async () => {
    const first = await call('POST', '/api/ml-platform/refresh');
    expect(first.status).toBe(204);
    const second = await call('POST', '/api/ml-platform/refresh');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second.body.error.message).toMatch(/try again in \d+ s$/);
  });

  it('lists no tool Service outside the allowed namespaces', async () => {
    const { body } = await call('GET', '/api/ml-platform/tools');
    expect(
      body.tools
        .filter((t: { cluster?: string }) => t.cluster)
        .map((t: { namespace: string }) => t.namespace),
    ).toEqual(['ml-tools', 'ml-tools', 'ml-tools']);
  });
});
