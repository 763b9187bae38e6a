import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  KubeApiError,
  type KubeManifest,
} from '@mlplatform/plugin-ml-platform-node';
import { mockServices } from '@backstage/backend-test-utils';
import { localKubeClient, type LocalKube } from './localCluster';
import { readPlatformFile } from './platformEnv';

// The Kubernetes module's client against the real local apiserver: discovery
// and server-side apply through KubernetesObjectApi, guarded patches, a watch,
// and the apiserver's own refusals. Everything lives in a namespace of the
// test's own.

const NAMESPACE = `test-kubeclient-${randomUUID().slice(0, 8)}`;
const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces' };
const CONFIG_MAPS = { group: '', version: 'v1', plural: 'configmaps' };
const ROUTES = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};

const route = (weight: number): KubeManifest => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'scorer', namespace: NAMESPACE },
  spec: {
    parentRefs: [{ name: 'ml-gateway' }],
    rules: [{ backendRefs: [{ name: 'scorer-v1', port: 8080, weight }] }],
  },
});

beforeAll(async () => {
  await localKubeClient().create(NAMESPACES, undefined, {
    metadata: { name: NAMESPACE },
  });
});

afterAll(async () => {
  await localKubeClient().delete(NAMESPACES, undefined, NAMESPACE);
});

describe("the Kubernetes module's client", () => {
  const kube = () => localKubeClient();

  it('discovers built-in kinds and CRDs, and says which kind is not served', async () => {
    await expect(kube().discover('apps/v1', 'Deployment')).resolves.toEqual({
      resource: { group: 'apps', version: 'v1', plural: 'deployments' },
      namespaced: true,
    });
    await expect(
      kube().discover('gateway.networking.k8s.io/v1', 'HTTPRoute'),
    ).resolves.toEqual({ resource: ROUTES, namespaced: true });
    await expect(kube().discover('v1', 'Namespace')).resolves.toEqual({
      resource: NAMESPACES,
      namespaced: false,
    });
    await expect(
      kube().discover('widgets.example.com/v1', 'Widget'),
    ).resolves.toBeUndefined();
    await expect(kube().discover('apps/v1', 'Widget')).resolves.toBeUndefined();
  });

  it('server-side applies as a field manager, dry runs change nothing, and another manager is refused its fields', async () => {
    const dry = await kube().apply(route(10), {
      fieldManager: 'test-owner',
      dryRun: 'All',
    });
    expect(dry.metadata?.name).toBe('scorer');
    await expect(kube().read(route(10))).resolves.toBeUndefined();

    const created = await kube().apply(route(10), {
      fieldManager: 'test-owner',
    });
    const again = await kube().apply(route(10), { fieldManager: 'test-owner' });
    // The same apply twice is one object at one version.
    expect(again.metadata?.resourceVersion).toBe(
      created.metadata?.resourceVersion,
    );

    const taken = await kube()
      .apply(route(90), { fieldManager: 'someone-else' })
      .catch(e => e);
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.kubeStatus).toMatchObject({ status: 409, reason: 'Conflict' });
    expect(taken.message).toMatch(/conflicts with "test-owner"/);
    const read = await kube().get<any>(ROUTES, NAMESPACE, 'scorer');
    expect(read.spec.rules[0].backendRefs[0].weight).toBe(10);
  });

  it('guards a JSON patch by resourceVersion: a stale one is a conflict and changes nothing', async () => {
    const before = await kube().get<any>(ROUTES, NAMESPACE, 'scorer');
    const guard = (version: string) => [
      {
        op: 'test' as const,
        path: '/metadata/resourceVersion',
        value: version,
      },
      {
        op: 'replace' as const,
        path: '/spec/rules/0/backendRefs/0/weight',
        value: 30,
      },
    ];
    const written = await kube().jsonPatch<any>(
      ROUTES,
      NAMESPACE,
      'scorer',
      guard(before.metadata.resourceVersion),
    );
    expect(written.spec.rules[0].backendRefs[0].weight).toBe(30);

    const stale = await kube()
      .jsonPatch(
        ROUTES,
        NAMESPACE,
        'scorer',
        guard(before.metadata.resourceVersion),
      )
      .catch(e => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale.message).toBe(
      `httproutes.gateway.networking.k8s.io ${NAMESPACE}/scorer changed since it was read; nothing was applied. Read it again and retry.`,
    );
    const after = await kube().get<any>(ROUTES, NAMESPACE, 'scorer');
    expect(after.metadata.resourceVersion).toBe(
      written.metadata.resourceVersion,
    );
  });

  it('says what is not there and what the apiserver refuses', async () => {
    await expect(kube().get(ROUTES, NAMESPACE, 'nope')).rejects.toThrow(
      new NotFoundError(
        `httproutes.gateway.networking.k8s.io ${NAMESPACE}/nope not found`,
      ),
    );
    await expect(
      kube().list({
        group: 'widgets.example.com',
        version: 'v1',
        plural: 'widgets',
      }),
    ).resolves.toEqual([]);

    const invalid = await kube()
      .create(CONFIG_MAPS, NAMESPACE, { metadata: { name: 'Not_A_Name' } })
      .catch(e => e);
    expect(invalid).toBeInstanceOf(KubeApiError);
    expect(invalid.kubeStatus).toMatchObject({
      status: 422,
      reason: 'Invalid',
    });

    const restricted = localKubeClient(
      readPlatformFile<LocalKube>('kube').restrictedToken,
    );
    const refused = await restricted
      .list(ROUTES, { namespace: NAMESPACE })
      .catch(e => e);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect(refused.message).toMatch(
      new RegExp(
        `^Listing httproutes.gateway.networking.k8s.io in ${NAMESPACE}: 403 Forbidden: `,
      ),
    );
  });

  it('watches a collection: what is created after the list arrives', async () => {
    const watch = kube().watch(CONFIG_MAPS, {
      labelSelector: 'ml-platform.io/test',
      retry: {
        initialBackoffMs: 200,
        maxBackoffMs: 1000,
        notInstalledRecheckMs: 60_000,
      },
      logger: mockServices.logger.mock(),
    });
    try {
      await watch.start();
      const name = `watched-${randomUUID().slice(0, 6)}`;
      await kube().create(CONFIG_MAPS, NAMESPACE, {
        metadata: { name, labels: { 'ml-platform.io/test': 'yes' } },
        data: { a: '1' },
      });
      const deadline = Date.now() + 20_000;
      while (
        !watch.objects().some(o => o.metadata?.name === name) &&
        Date.now() < deadline
      ) {
        await new Promise(r => setTimeout(r, 100));
      }
      expect(watch.objects().map(o => o.metadata?.name)).toContain(name);
      expect(watch.state()).toMatchObject({
        synced: true,
        notInstalled: false,
      });
    } finally {
      await watch.stop();
    }
  });
});
