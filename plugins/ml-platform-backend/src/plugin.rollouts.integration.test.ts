import { randomUUID } from 'node:crypto';
import net from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  mlPlatformRolloutPermission,
  type RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';
import { localClusterConfig } from 'platform-tests';
import request from 'supertest';
import { mlPlatformPlugin } from './plugin';
import { TRUSTED_CONFIG, claimingEntity } from './__testUtils__/modelClaims';
import { loadOpenApiChecker } from './schema/__testUtils__/openApiChecker';
import { localMlflowAdmin } from './services/MlflowRegistry/__testUtils__/localMlflowAdmin';
import {
  createRoute,
  createVersionService,
} from './services/Rollouts/__testUtils__/fixtures';
import {
  kube,
  kubeOk,
  paths,
  waitForKube,
} from './services/Rollouts/__testUtils__/localKube';

/*
 * The rollout routes through the plugin's real wiring, with the real engine
 * writing to the local apiserver and the real MLflow holding the models and
 * the serving alias. The models, Services and HTTPRoutes are the test's own,
 * in a namespace and MLflow models deleted afterwards. Every answer is
 * checked against openapi.yaml.
 */

jest.setTimeout(180_000);

const id = randomUUID().slice(0, 8);
const ns = `test-rollout-http-${id}`;
// Model A belongs to the caller's entity, model B to an entity the policy
// denies them.
const modelA = `test-rollout-http-${id}-a`;
const modelB = `test-rollout-http-${id}-b`;
const OWN_ENTITY = 'component:default/scorer-a';
const OTHERS_ENTITY = 'component:default/scorer-b';
const OUTSIDER = 'user:default/outsider';
const ALIAS = 'champion';

const { env: mlflow, client: admin, api: mlflowApi } = localMlflowAdmin();

async function createScratchModel(name: string) {
  await mlflowApi('POST', 'registered-models/create', { name });
  for (let v = 1; v <= 3; v++) {
    await mlflowApi('POST', 'model-versions/create', {
      name,
      source: `s3://scratch/${name}/${v}`,
    });
  }
}

const entity = (name: string, annotation: string, owner: string): Entity =>
  claimingEntity({ name, annotation, owner });

// Denies what the portal's policy denies a non-owner, and everything to one
// user, so one backend serves every case.
const permissions = mockServices.permissions.mock({
  async authorize(requests, options) {
    const user = (options.credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    return requests.map(r => {
      const denied =
        user === OUTSIDER ||
        (isResourcePermission(r.permission) &&
          r.permission.name === mlPlatformRolloutPermission.name &&
          (r as { resourceRef?: string }).resourceRef === OTHERS_ENTITY);
      return {
        result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      };
    });
  },
  // What a gradual rollout keeps of its creator's standing: the policy's
  // answer without an entity, here the same for every entity.
  async authorizeConditional(requests, options) {
    const user = (options.credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    return requests.map(() => ({
      result: user === OUTSIDER ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    }));
  },
});

let server: Parameters<typeof request>[0];
let checker: Awaited<ReturnType<typeof loadOpenApiChecker>>;

const api = `/api/ml-platform`;
const post = async (
  body: object,
  url = '/rollouts',
  as = 'user:default/mock',
) =>
  checker.check(
    await request(server)
      .post(`${api}${url}`)
      .set('authorization', mockCredentials.user.header(as))
      .send(body),
  );
const get = async (url: string, as = 'user:default/mock') =>
  checker.check(
    await request(server)
      .get(`${api}${url}`)
      .set('authorization', mockCredentials.user.header(as)),
  );
const history = async (model: string, query = '') =>
  (await get(`/models/${model}/rollouts${query}`)).body
    .items as RolloutAuditRecord[];

const routePath = (model: string) => `${paths.httpRoutes(ns)}/${model}`;
const weights = async (model: string) =>
  (await kubeOk('GET', routePath(model))).spec.rules[1].backendRefs.map(
    (r: { weight: number }) => r.weight,
  );

async function routedModel(model: string, split: number[]) {
  for (const v of ['1', '2', '3']) await createVersionService(ns, model, v);
  await createRoute(
    ns,
    model,
    split.map((weight, i) => ({ service: `${model}-v${i + 1}`, weight })),
  );
}

async function untilPortalShowsRoute(model: string) {
  for (let i = 0; i < 600; i++) {
    const res = await request(server).get(`${api}/models/${model}`);
    const routed = res.body.deployments?.some(
      (d: { namespace: string; router?: object }) =>
        d.namespace === ns && d.router,
    );
    if (res.status === 200 && routed) return;
    if (i % 20 === 0) await request(server).post(`${api}/refresh`);
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`The portal never showed the route of ${model}`);
}

/**
 * A TCP forwarder to the local apiserver (TLS passes through untouched), so
 * that a cluster of the config can stop answering while the others go on.
 */
async function startApiserverForwarder(target: URL) {
  const sockets = new Set<net.Socket>();
  const listener = net.createServer(client => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    /** Refuses new connections and cuts the open ones, watches included. */
    stop: () =>
      new Promise<void>(resolve => {
        listener.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

const THROUGH_FORWARDER = 'through-forwarder';
let forwarder: Awaited<ReturnType<typeof startApiserverForwarder>>;

beforeAll(async () => {
  checker = await loadOpenApiChecker();
  forwarder = await startApiserverForwarder(new URL(localClusterConfig().url));
  await waitForKube();
  await kubeOk('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await createScratchModel(modelA);
  await createScratchModel(modelB);
  await admin.setAlias(modelA, ALIAS, '1');
  await routedModel(modelA, [90, 10, 0]);
  await routedModel(modelB, [100, 0, 0]);

  ({ server } = await startTestBackend({
    features: [
      mlPlatformPlugin,
      permissions.factory,
      catalogServiceMock.factory({
        entities: [
          // The caller, whom every gradual step finds in the catalog again.
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'User',
            metadata: { name: 'mock', namespace: 'default' },
            spec: {},
          },
          entity('scorer-a', `mlflow/${modelA}`, 'group:default/team-a'),
          entity('scorer-b', modelB, 'group:default/team-b'),
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  localClusterConfig(),
                  // The same apiserver under another name, until it stops.
                  localClusterConfig({
                    name: THROUGH_FORWARDER,
                    url: forwarder.url,
                  }),
                ],
              },
            ],
          },
          mlPlatform: {
            ownership: TRUSTED_CONFIG,
            rollouts: { servingAlias: ALIAS },
            // The scratch versions have no files to judge: unknown, which
            // only a namespace config names may serve.
            safety: {
              allowUnknown: [
                { cluster: 'local', namespace: ns },
                { cluster: THROUGH_FORWARDER, namespace: ns },
              ],
            },
            registries: {
              mlflow: [
                {
                  id: 'mlflow',
                  baseUrl: mlflow.url,
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
  }));
  await untilPortalShowsRoute(modelA);
  await untilPortalShowsRoute(modelB);
});

afterAll(async () => {
  await forwarder?.stop();
  await kube('DELETE', `/api/v1/namespaces/${ns}`);
  for (const name of [modelA, modelB]) {
    await mlflowApi('DELETE', 'registered-models/delete', { name }).catch(
      () => undefined,
    );
  }
});

describe('rollout routes on the local apiserver and MLflow', () => {
  it('runs a canary, refuses a stale write with the fresh split, promotes with the alias and rolls back', async () => {
    const deployment = { model: modelA, cluster: 'local', namespace: ns };
    const staleVersion = (await kubeOk('GET', routePath(modelA))).metadata
      .resourceVersion;

    const canary = await post({
      ...deployment,
      strategy: 'canary',
      target: { version: '2', percent: 30 },
    });
    expect(canary.status).toBe(200);
    expect(await weights(modelA)).toEqual([70, 30, 0]);
    expect(canary.body).toEqual({
      auditId: expect.any(String),
      router: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        name: modelA,
      },
      before: {
        versions: [
          { version: '1', weight: 90, percent: 90 },
          { version: '2', weight: 10, percent: 10 },
          { version: '3', weight: 0, percent: 0 },
        ],
      },
      after: {
        versions: [
          { version: '1', weight: 70, percent: 70 },
          { version: '2', weight: 30, percent: 30 },
          { version: '3', weight: 0, percent: 0 },
        ],
      },
      resourceVersion: (await kubeOk('GET', routePath(modelA))).metadata
        .resourceVersion,
    });
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: mlPlatformRolloutPermission, resourceRef: OWN_ENTITY }],
      expect.anything(),
    );
    // A canary is no promote: the alias stays.
    expect(await admin.getAliasVersion(modelA, ALIAS)).toBe('1');

    const conflict = await post({
      ...deployment,
      strategy: 'split',
      weights: { '1': 50, '2': 50 },
      expectedResourceVersion: staleVersion,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.name).toBe('ConflictError');
    expect(conflict.body.current).toEqual(canary.body.after);
    expect(conflict.body.resourceVersion).toBe(canary.body.resourceVersion);
    expect(await weights(modelA)).toEqual([70, 30, 0]);

    const promote = await post({
      ...deployment,
      strategy: 'promote',
      target: { version: '2' },
    });
    expect(promote.status).toBe(200);
    expect(await weights(modelA)).toEqual([0, 100, 0]);
    expect(promote.body.aliasChange).toEqual({
      alias: ALIAS,
      from: '1',
      to: '2',
    });
    expect(await admin.getAliasVersion(modelA, ALIAS)).toBe('2');

    const rollback = await post({ ...deployment, strategy: 'rollback' });
    expect(rollback.status).toBe(200);
    expect(await weights(modelA)).toEqual([70, 30, 0]);
    expect(rollback.body.aliasChange).toEqual({
      alias: ALIAS,
      from: '2',
      to: '1',
    });
    expect(await admin.getAliasVersion(modelA, ALIAS)).toBe('1');

    const trail = await history(modelA);
    expect(trail.map(r => [r.strategy, r.result])).toEqual([
      ['rollback', 'succeeded'],
      ['promote', 'succeeded'],
      ['split', 'conflict'],
      ['canary', 'succeeded'],
    ]);
    expect(trail[0]).toMatchObject({
      id: rollback.body.auditId,
      actor: 'user:default/mock',
      registryId: 'mlflow',
      cluster: 'local',
      namespace: ns,
      router: { kind: 'HTTPRoute', name: modelA },
      aliasChange: { alias: ALIAS, from: '2', to: '1' },
    });
    expect(trail[1].aliasChange).toEqual({ alias: ALIAS, from: '1', to: '2' });

    // Pages, newest first, and filters by deployment and registry.
    const first = await get(`/models/${modelA}/rollouts?limit=3`);
    expect(first.body.items).toEqual(trail.slice(0, 3));
    const rest = await get(
      `/models/${modelA}/rollouts?limit=3&before=${first.body.nextCursor}`,
    );
    expect(rest.body).toEqual({ items: trail.slice(3) });
    expect(
      await history(
        modelA,
        `?registry=mlflow&cluster=local&namespace=${ns}&limit=10`,
      ),
    ).toEqual(trail);
    expect(await history(modelA, '?namespace=elsewhere')).toEqual([]);
    expect(await history(modelA, '?registry=other')).toEqual([]);
  });

  it('reports a failed alias move after the traffic change, which stands', async () => {
    const deployment = { model: modelA, cluster: 'local', namespace: ns };
    const promote = await post({
      ...deployment,
      strategy: 'promote',
      target: { version: '2' },
    });
    expect(promote.status).toBe(200);
    // Someone points the alias elsewhere by hand: the rollback must not
    // overwrite their choice.
    await admin.setAlias(modelA, ALIAS, '3');

    const rollback = await post({ ...deployment, strategy: 'rollback' });
    expect(rollback.status).toBe(200);
    expect(await weights(modelA)).toEqual([70, 30, 0]);
    expect(rollback.body.aliasChange).toBeUndefined();
    expect(rollback.body.aliasError).toMatch(
      /traffic change stands.*points at version 3, not at version 2/,
    );
    expect(await admin.getAliasVersion(modelA, ALIAS)).toBe('3');
    const [latest] = await history(modelA);
    expect(latest).toMatchObject({
      id: rollback.body.auditId,
      strategy: 'rollback',
      result: 'succeeded',
      error: rollback.body.aliasError,
    });
    expect(latest.aliasChange).toBeUndefined();
    await admin.setAlias(modelA, ALIAS, '1');
  });

  it("denies a rollout on another team's model, records it as refused and changes nothing", async () => {
    const before = await kubeOk('GET', routePath(modelB));
    const denied = await post({
      model: modelB,
      cluster: 'local',
      namespace: ns,
      strategy: 'canary',
      target: { version: '2', percent: 50 },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.name).toBe('NotAllowedError');
    expect(denied.body.error.message).toContain(OTHERS_ENTITY);
    const after = await kubeOk('GET', routePath(modelB));
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(await history(modelB)).toEqual([
      expect.objectContaining({
        actor: 'user:default/mock',
        model: modelB,
        registryId: 'mlflow',
        strategy: 'canary',
        result: 'refused',
        error: denied.body.error.message,
      }),
    ]);
    // The entity the permission was decided on is the one naming the model.
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: mlPlatformRolloutPermission,
          resourceRef: OTHERS_ENTITY,
        },
      ],
      expect.anything(),
    );
  });

  it.each([
    [{ cluster: undefined }, /cluster: Required/],
    [{ strategy: 'teleport' }, /strategy/],
    [{ strategy: 'split', weights: { '1': -5 } }, /weights\.1/],
    [{ target: { version: '2', percent: 101 } }, /target\.percent/],
    [{ colour: 'red' }, /unknown field colour/],
    [{ target: { version: '9', percent: 10 } }, /target\.version: version 9/],
  ])('answers 400 naming the field for %j', async (fields, message) => {
    const res = await post({
      model: modelA,
      cluster: 'local',
      namespace: ns,
      strategy: 'canary',
      target: { version: '2', percent: 10 },
      ...fields,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 for an unknown model or deployment', async () => {
    const unknownModel = await post({
      model: `no-such-model-${id}`,
      cluster: 'local',
      namespace: ns,
      strategy: 'rollback',
    });
    expect(unknownModel.status).toBe(404);
    expect(unknownModel.body.error.name).toBe('NotFoundError');
    const elsewhere = await post({
      model: modelA,
      cluster: 'local',
      namespace: 'nowhere',
      strategy: 'rollback',
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.message).toContain('no deployment');
  });

  it('guards the audit trail: 400 for bad paging, 401 without credentials, 403 by policy', async () => {
    expect((await get(`/models/${modelA}/rollouts?limit=0`)).status).toBe(400);
    expect((await get(`/models/${modelA}/rollouts?before=x`)).status).toBe(400);
    expect((await get(`/models/${modelA}/rollouts?colour=red`)).status).toBe(
      400,
    );
    const outsider = await get(`/models/${modelA}/rollouts`, OUTSIDER);
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.name).toBe('NotAllowedError');
    for (const res of [
      await request(server)
        .get(`${api}/models/${modelA}/rollouts`)
        .set('authorization', mockCredentials.none.header()),
      await request(server)
        .post(`${api}/rollouts`)
        .set('authorization', mockCredentials.none.header())
        .send({}),
    ]) {
      expect(checker.check(res).status).toBe(401);
    }
  });

  it('starts a gradual rollout with its first step, and pauses, resumes and aborts it', async () => {
    const deployment = { model: modelA, cluster: 'local', namespace: ns };
    const steps = [
      { percent: 20, waitSeconds: 3600 },
      { percent: 100, waitSeconds: 0 },
    ];
    const start = await post(
      { ...deployment, target: { version: '2' }, steps },
      '/rollouts/gradual',
    );
    expect(start.status).toBe(201);
    expect(start.body).toMatchObject({
      model: modelA,
      registryId: 'mlflow',
      targetVersion: '2',
      steps,
      currentStep: 0,
      state: 'running',
      createdBy: 'user:default/mock',
    });
    expect(await weights(modelA)).toEqual([80, 20, 0]);
    const gradual = `/rollouts/gradual/${start.body.id}`;

    const again = await post(
      { ...deployment, target: { version: '3' }, steps },
      '/rollouts/gradual',
    );
    expect(again.status).toBe(409);
    expect(
      (
        await post(
          { ...deployment, target: { version: '2' }, steps: [] },
          '/rollouts/gradual',
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await post(
          {
            ...deployment,
            model: `no-such-model-${id}`,
            target: { version: '2' },
            steps,
          },
          '/rollouts/gradual',
        )
      ).status,
    ).toBe(404);
    const othersModel = await post(
      { ...deployment, model: modelB, target: { version: '2' }, steps },
      '/rollouts/gradual',
    );
    expect(othersModel.status).toBe(403);

    expect((await get(gradual)).body).toEqual(start.body);
    expect((await get(`${gradual}x`)).status).toBe(404);
    expect((await get(gradual, OUTSIDER)).status).toBe(403);
    expect(
      (
        await get(
          `/models/${modelA}/rollouts/gradual?cluster=local&namespace=${ns}`,
        )
      ).body.items.map((g: { id: string }) => g.id),
    ).toEqual([start.body.id]);
    expect(
      (await get(`/models/${modelA}/rollouts/gradual?colour=red`)).status,
    ).toBe(400);
    expect(
      (await get(`/models/${modelA}/rollouts/gradual`, OUTSIDER)).status,
    ).toBe(403);

    for (const action of ['pause', 'resume', 'abort']) {
      expect((await post({}, `${gradual}/${action}`, OUTSIDER)).status).toBe(
        403,
      );
      expect((await post({}, `${gradual}x/${action}`)).status).toBe(404);
    }
    const paused = await post({}, `${gradual}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe('paused');
    expect((await post({}, `${gradual}/pause`)).status).toBe(409);
    expect((await post({}, `${gradual}/resume`)).body.state).toBe('running');
    expect((await post({}, `${gradual}/resume`)).status).toBe(409);
    expect((await post({}, `${gradual}/abort`)).body.state).toBe('aborted');
    expect((await post({}, `${gradual}/abort`)).status).toBe(409);
    // Abort leaves the traffic where the last applied step put it.
    expect(await weights(modelA)).toEqual([80, 20, 0]);
    const calls = [
      ['post', '/rollouts/gradual'],
      ['get', gradual],
      ['post', `${gradual}/pause`],
      ['post', `${gradual}/resume`],
      ['post', `${gradual}/abort`],
      ['get', `/models/${modelA}/rollouts/gradual`],
    ] as const;
    for (const [method, url] of calls) {
      const res = await request(server)
        [method](`${api}${url}`)
        .set('authorization', mockCredentials.none.header());
      expect(checker.check(res).status).toBe(401);
    }
  });

  it('answers 503 naming the cluster when its apiserver does not answer, and records the failure', async () => {
    for (let i = 0; ; i++) {
      const res = await request(server).get(`${api}/models/${modelA}`);
      const seen = res.body.deployments?.some(
        (d: { cluster: string; router?: object }) =>
          d.cluster === THROUGH_FORWARDER && d.router,
      );
      if (seen) break;
      if (i > 300)
        throw new Error(`${THROUGH_FORWARDER} never showed the route`);
      await new Promise(r => setTimeout(r, 200));
    }
    await forwarder.stop();

    const res = await post({
      model: modelA,
      cluster: THROUGH_FORWARDER,
      namespace: ns,
      strategy: 'canary',
      target: { version: '2', percent: 30 },
    });
    expect(res.status).toBe(503);
    expect(res.body.error.name).toBe('ServiceUnavailableError');
    // Whichever sees the cluster gone first, the read of the route
    // (ECONNREFUSED) or a watch the router reads the route's Services from (a
    // stream cut: "Premature close"), says the same.
    expect(res.body.error.message).toMatch(
      new RegExp(
        `^Cluster '${THROUGH_FORWARDER}' does not answer: .*(ECONNREFUSED|Premature close)`,
      ),
    );
    const [latest] = await history(modelA);
    expect(latest).toMatchObject({
      cluster: THROUGH_FORWARDER,
      result: 'failed',
    });
  });

  // Runs last: openapi.test.ts leaves the rollout routes to this suite.
  it('has produced every documented answer of the rollout routes', () => {
    expect(checker.unseen().filter(key => key.includes('/rollouts'))).toEqual(
      [],
    );
  });
});
