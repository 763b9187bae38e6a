import { randomUUID } from 'node:crypto';
import { kubeRequest, type LocalKube } from './localCluster';
import { readPlatformFile } from './platformEnv';

interface BackendRef {
  name: string;
  weight?: number;
}

const kube = readPlatformFile<LocalKube>('kube');

/** One request to the apiserver through the Kubernetes module's client, verified against the CA of kube.json. */
function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; contentType?: string } = {},
) {
  return kubeRequest(
    method,
    path,
    options.body,
    options.contentType,
    options.token,
  );
}

const GATEWAY_API = '/apis/gateway.networking.k8s.io/v1';
/** The seeded routes: only ever read here, never changed. */
const ROUTES = `${GATEWAY_API}/namespaces/ml-prod/httproutes`;

/**
 * The route this test changes: its own, in a namespace of its own, so that no
 * other test (in this or another Jest worker) sees its writes or changes it.
 */
const NAMESPACE = `test-kube-${randomUUID().slice(0, 8)}`;
const OWN_ROUTES = `${GATEWAY_API}/namespaces/${NAMESPACE}/httproutes`;
const ROUTE = `${OWN_ROUTES}/scorer`;

function weights(route: any): Record<string, number | undefined> {
  const refs: BackendRef[] = route.spec.rules[0].backendRefs;
  return Object.fromEntries(refs.map(r => [r.name, r.weight]));
}

async function getRoute(): Promise<any> {
  const res = await call('GET', ROUTE);
  expect(res.status).toBe(200);
  return res.body;
}

/** A JSON Patch that sets one backend's weight only if nobody changed the route since `resourceVersion`. */
function setWeight(resourceVersion: string, index: number, weight: number) {
  return call('PATCH', ROUTE, {
    contentType: 'application/json-patch+json',
    body: [
      { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
      {
        op: 'replace',
        path: `/spec/rules/0/backendRefs/${index}/weight`,
        value: weight,
      },
    ],
  });
}

function canaryIndex(route: any): number {
  const refs: BackendRef[] = route.spec.rules[0].backendRefs;
  const index = refs.findIndex(r => r.name === 'scorer-v6');
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

/** Creates the test's namespace and its route, shaped like the seeded fraud-scorer one with a 90/10 split. */
async function createOwnRoute() {
  const ns = await call('POST', '/api/v1/namespaces', {
    body: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    },
  });
  expect(ns.status).toBe(201);
  const route = await call('POST', OWN_ROUTES, {
    body: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'scorer', namespace: NAMESPACE },
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'ml-gateway',
          },
        ],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [
              {
                group: '',
                kind: 'Service',
                name: 'scorer-v5',
                port: 8080,
                weight: 90,
              },
              {
                group: '',
                kind: 'Service',
                name: 'scorer-v6',
                port: 8080,
                weight: 10,
              },
            ],
          },
        ],
      },
    },
  });
  expect(route.status).toBe(201);
}

/** Deletes the route, then its namespace (kubeWorkloads.test.ts checks that it goes). */
async function deleteOwnRoute() {
  const route = await call('DELETE', ROUTE);
  expect([200, 404]).toContain(route.status);
  const ns = await call('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
  expect([200, 202, 404]).toContain(ns.status);
}

describe('local kube-apiserver (scripts/platform/kube.sh)', () => {
  beforeAll(createOwnRoute);
  afterAll(deleteOwnRoute);

  it('is a real kube-apiserver', async () => {
    const res = await call('GET', '/version');
    expect(res.status).toBe(200);
    expect(res.body.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
  });

  it('lists the seeded fraud-scorer HTTPRoute in ml-prod with a 90/10 split', async () => {
    const res = await call('GET', ROUTES);
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('HTTPRouteList');
    const route = res.body.items.find(
      (r: any) => r.metadata.name === 'fraud-scorer',
    );
    expect(route).toBeDefined();
    expect(weights(route)).toEqual({
      'fraud-scorer-v5': 90,
      'fraud-scorer-v6': 10,
    });
    expect(route.metadata.labels['backstage.io/kubernetes-id']).toBe(
      'fraud-scorer',
    );
    // The seed writes the status a gateway controller would. No gateway controller
    // runs, so after a patch the status keeps the generation it saw: never a later one.
    const accepted = route.status.parents[0].conditions.find(
      (c: any) => c.type === 'Accepted',
    );
    expect(accepted.status).toBe('True');
    expect(accepted.observedGeneration).toBeGreaterThanOrEqual(1);
    expect(accepted.observedGeneration).toBeLessThanOrEqual(
      route.metadata.generation,
    );
  });

  it('applies a weight change guarded by a resourceVersion test and reads it back', async () => {
    const before = await getRoute();
    expect(weights(before)).toEqual({ 'scorer-v5': 90, 'scorer-v6': 10 });
    const index = canaryIndex(before);

    const res = await setWeight(before.metadata.resourceVersion, index, 25);
    expect(res.status).toBe(200);
    expect(res.body.metadata.resourceVersion).not.toBe(
      before.metadata.resourceVersion,
    );
    expect(res.body.metadata.generation).toBe(before.metadata.generation + 1);

    const after = await getRoute();
    expect(weights(after)).toEqual({
      'scorer-v5': 90,
      'scorer-v6': 25,
    });
  });

  it('refuses a patch whose resourceVersion test is stale and changes nothing', async () => {
    const stale = await getRoute();
    const index = canaryIndex(stale);
    // Someone else changes the route after we read it...
    const other = await setWeight(stale.metadata.resourceVersion, index, 30);
    expect(other.status).toBe(200);
    const current = await getRoute();

    // ...so our write, based on what we read, must be refused. The real server
    // answers a failed JSON Patch `test` with 422 Invalid (not 409 Conflict) and a
    // generic message that does not name the test.
    const res = await setWeight(stale.metadata.resourceVersion, index, 50);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
    });

    const after = await getRoute();
    expect(after.metadata.resourceVersion).toBe(
      current.metadata.resourceVersion,
    );
    expect(weights(after)['scorer-v6']).toBe(30);
  });

  it('refuses a user without RBAC bindings with 403, reads and writes alike', async () => {
    const before = await getRoute();

    const list = await call('GET', ROUTES, { token: kube.restrictedToken });
    expect(list.status).toBe(403);
    expect(list.body).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
    expect(list.body.message).toContain('ml-platform-no-access');

    const patch = await call('PATCH', ROUTE, {
      token: kube.restrictedToken,
      contentType: 'application/json-patch+json',
      body: [
        { op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 0 },
      ],
    });
    expect(patch.status).toBe(403);

    const after = await getRoute();
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });

  it('refuses an unknown token with 401', async () => {
    const res = await call('GET', ROUTES, { token: 'not-a-valid-token' });
    expect(res.status).toBe(401);
  });
});
