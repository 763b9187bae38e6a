import type {
  TrafficChange,
  TrafficKindEnvironment,
  TrafficObjectRef,
  TrafficRouter,
} from '@mlplatform/plugin-ml-platform-node';
import {
  changedPaths,
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
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

/**
 * One traffic router against the local cluster, in a namespace of its own
 * that lives as long as the test file.
 */
export function useTrafficRouterTestBed(options: {
  apiVersion: string;
  kind: string;
  /** The API path of the kind's objects in a namespace. */
  collectionPath: (ns: string) => string;
  createRouter: (env: TrafficKindEnvironment) => TrafficRouter;
  /** Objects every test of the file needs, created once. */
  seed?: (ns: string) => Promise<void>;
}) {
  let namespace: string | undefined;

  beforeAll(async () => {
    namespace = await createTestNamespace();
    await options.seed?.(namespace);
  });

  afterAll(async () => {
    if (namespace) await deleteTestNamespace(namespace);
  });

  const bed = {
    get ns(): string {
      if (!namespace) throw new Error('the test namespace is not created yet');
      return namespace;
    },
    path: (name: string) => `${options.collectionPath(bed.ns)}/${name}`,
    ref: (name: string): TrafficObjectRef => ({
      cluster: 'local',
      namespace: bed.ns,
      apiVersion: options.apiVersion,
      kind: options.kind,
      name,
    }),
    router: async () =>
      options.createRouter({ client: await localClusterClients() }),

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
