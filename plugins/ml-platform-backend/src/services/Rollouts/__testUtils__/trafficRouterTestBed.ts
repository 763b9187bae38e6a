import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import {
  createKubernetesClusters,
  type ClusterClients,
  type KubeClient,
  type TrafficChange,
  type TrafficKind,
  type TrafficObjectRef,
  type TrafficRouter,
  type WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';
import {
  createModelDeploymentsService,
  type ModelDeploymentsService,
} from '../../ModelDeployments';
import { watchedResourcesOf } from '../../ModelDeployments/watchedResources';
import { createTrafficKinds } from '../../TrafficKinds';
import {
  changedPaths,
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  localKubernetesConfig,
} from './localKube';

/** Reads the object through the router, then applies a change planned from that reading. */
export async function applyVia(
  router: TrafficRouter,
  ref: TrafficObjectRef,
  model: string,
  change: TrafficChange,
  options: { expectedResourceVersion?: string } = {},
) {
  return (await router.readSplit(ref, model)).apply(change, options);
}

/** `uid@resourceVersion` of each object in the namespace, sorted. */
function versionsIn(objects: readonly unknown[], namespace: string): string {
  return (objects as Array<{ metadata?: Record<string, string> }>)
    .filter(o => o.metadata?.namespace === namespace)
    .map(o => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`)
    .sort()
    .join(',');
}

/** The live objects of a resource in the namespace; none where its CRD is not installed. */
async function liveList(
  kube: KubeClient,
  resource: WatchedResource,
  namespace: string,
) {
  try {
    return await kube.list(resource, {
      namespace,
      labelSelector: resource.labelSelector,
    });
  } catch (e) {
    if (e instanceof NotFoundError) return [];
    throw e;
  }
}

/**
 * One traffic kind's router against the local cluster, in a namespace of
 * its own that lives as long as the test file, with the watch cache the
 * backend gives it. Every reading first waits until the cache holds the
 * namespace as the apiserver does, so a test reads what it just created.
 */
export function useTrafficRouterTestBed(options: {
  trafficKind: TrafficKind;
  /** The API path of the kind's objects in a namespace. */
  collectionPath: (ns: string) => string;
  /** Objects every test of the file needs, created once. */
  seed?: (ns: string) => Promise<void>;
}) {
  const { trafficKind } = options;
  const { group, version } = trafficKind.object;
  const apiVersion = group ? `${group}/${version}` : version;
  let namespace: string | undefined;
  let deployments: ModelDeploymentsService | undefined;

  beforeAll(async () => {
    namespace = await createTestNamespace();
    await options.seed?.(namespace);
    deployments = createModelDeploymentsService({
      clusters: createKubernetesClusters({
        config: await localKubernetesConfig(),
        logger: mockServices.logger.mock(),
      }),
      kinds: [trafficKind],
      logger: mockServices.logger.mock(),
    });
    await deployments.start();
  });

  afterAll(async () => {
    await deployments?.stop();
    if (namespace) await deleteTestNamespace(namespace);
  });

  const watchCache = () => {
    if (!deployments) throw new Error('the test bed is not set up yet');
    return deployments;
  };

  async function untilCacheCaughtUp(ref: TrafficObjectRef) {
    const { cluster, namespace: ns } = ref;
    const kube = (await localClusterClients())(cluster);
    for (let attempt = 0; attempt < 200; attempt++) {
      let behind = false;
      for (const resource of watchedResourcesOf([trafficKind])) {
        const live = await liveList(kube, resource, ns);
        const cached = watchCache().syncedObjects(cluster).list(resource);
        if (versionsIn(live, ns) !== versionsIn(cached, ns)) {
          behind = true;
        }
      }
      if (!behind) return;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`the watch cache never caught up with ${ns}`);
  }

  const bed = {
    get ns(): string {
      if (!namespace) throw new Error('the test namespace is not created yet');
      return namespace;
    },
    path: (name: string) => `${options.collectionPath(bed.ns)}/${name}`,
    ref: (name: string): TrafficObjectRef => ({
      cluster: 'local',
      namespace: bed.ns,
      apiVersion,
      kind: trafficKind.object.kind,
      name,
    }),
    /** The kind's router as the backend makes it; `client` replaces the cluster clients. */
    router: async (client?: ClusterClients): Promise<TrafficRouter> => {
      const router = createTrafficKinds([trafficKind], {
        client: client ?? (await localClusterClients()),
        objects: cluster => watchCache().syncedObjects(cluster),
      }).routerFor({ apiVersion, kind: trafficKind.object.kind });
      return {
        async readSplit(ref, model) {
          await untilCacheCaughtUp(ref);
          return router.readSplit(ref, model);
        },
      };
    },

    /** The split the router reads, and the object's resourceVersion now. */
    async readSplit(name: string, model: string) {
      const object = await kubeOk('GET', bed.path(name));
      const router = await bed.router();
      const { weights, resourceVersion, managedBy } = await router.readSplit(
        bed.ref(name),
        model,
      );
      return {
        split: { weights, resourceVersion, ...(managedBy && { managedBy }) },
        resourceVersion: object.metadata.resourceVersion,
      };
    },

    /**
     * Applies one change to an existing object, guarded by the version just
     * read, and returns the object before and after and the paths that changed.
     */
    async applyAndReread(name: string, model: string, change: TrafficChange) {
      const before = await kubeOk('GET', bed.path(name));
      const router = await bed.router();
      const written = await applyVia(router, bed.ref(name), model, change, {
        expectedResourceVersion: before.metadata.resourceVersion,
      });
      const after = await kubeOk('GET', bed.path(name));
      expect(written.resourceVersion).toBe(after.metadata.resourceVersion);
      return { before, after, written, changed: changedPaths(before, after) };
    },

    /**
     * Reads the object once, for changes that must be refused: `apply` sends
     * a change guarded by that read, `expectUnchanged` checks that nothing
     * was written since.
     */
    async refusals(name: string, model: string) {
      const before = await kubeOk('GET', bed.path(name));
      const router = await bed.router();
      return {
        router,
        apply: (change: TrafficChange) =>
          applyVia(router, bed.ref(name), model, change, {
            expectedResourceVersion: before.metadata.resourceVersion,
          }),
        expectUnchanged: async () =>
          expect(await kubeOk('GET', bed.path(name))).toEqual(before),
      };
    },

    /**
     * Reads the object, then changes it behind the reader's back; returns both,
     * for tests of writes that must be refused as stale.
     */
    async readThenTouch(name: string, patch: object) {
      const read = await kubeOk('GET', bed.path(name));
      const touched = await kubeOk(
        'PATCH',
        bed.path(name),
        patch,
        'application/merge-patch+json',
      );
      return { read, touched };
    },
  };
  return bed;
}
