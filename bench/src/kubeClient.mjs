import { createRequire } from 'node:module';

// The Kubernetes module of plugins/ml-platform-node, run from its TypeScript
// source the way startBackend.mjs runs the backend: the benchmarks talk to
// the apiserver with the client the portal uses, timeouts and retries included.
const require = createRequire(import.meta.url);
require('@backstage/cli-node/config/nodeTransform.cjs');
const {
  createKubeClient,
  kubeConfigFor,
} = require('@mlplatform/plugin-ml-platform-node');

/** The seeds' field manager; with force, a rerun takes back what a run changed. */
const FIELD_MANAGER = 'ml-platform-bench';

/** Resources the benchmarks read and watch, by group, version and plural. */
export const RESOURCES = {
  configMaps: { group: '', version: 'v1', plural: 'configmaps' },
  httpRoutes: {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
  },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' },
  inferenceServices: {
    group: 'serving.kserve.io',
    version: 'v1beta1',
    plural: 'inferenceservices',
  },
};

/**
 * The module's client of the bench apiserver, as the admin of kube.json, and
 * the seeds' server-side apply.
 */
export function createBenchKube(kube) {
  const client = createKubeClient(
    'bench',
    kubeConfigFor({
      name: 'bench',
      url: kube.server,
      authProvider: 'serviceAccount',
      getToken: async () => kube.token,
      caData: kube.caData,
      skipTLSVerify: false,
      inCluster: false,
    }),
    // Seeding thousands of objects on a busy machine: a generous bound.
    { policy: { timeoutMs: 60_000 } },
  );
  return {
    client,
    /** Server-side apply, forced: creates or updates, so a rerun of the seed changes nothing. */
    apply: (object, subresource) =>
      client.apply(object, {
        fieldManager: FIELD_MANAGER,
        force: true,
        ...(subresource && { subresource }),
      }),
  };
}
