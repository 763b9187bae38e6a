import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fatal } from './fatal.mjs';

const REPO_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../..',
);

/** The field manager of the seeds; with force, a rerun takes back what a demo or test changed. */
export const FIELD_MANAGER = 'ml-platform-seed';

const PACKAGES = [
  '@backstage/cli-node/package.json',
  '@mlplatform/plugin-ml-platform-node/package.json',
];

/**
 * The project's one apiserver client (plugins/ml-platform-node), run from its
 * TypeScript source as bench/src/kubeClient.mjs does, so these scripts get its
 * bounds, retries and errors rather than a client of their own.
 */
function loadKubernetesModule() {
  const require = createRequire(import.meta.url);
  const missing = PACKAGES.filter(pkg => {
    try {
      require.resolve(pkg);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Fatal(
      `${missing.join(
        ' and ',
      )} not found: run \`yarn install\` in ${REPO_ROOT} first`,
    );
  }
  require('@backstage/cli-node/config/nodeTransform.cjs');
  try {
    return require('@mlplatform/plugin-ml-platform-node');
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND') throw error;
    // A file of the workspace's source that is not there: where it was asked for says more than a stack.
    const from = error.requireStack?.[0];
    throw new Fatal(
      `the Kubernetes module of plugins/ml-platform-node does not load: ${
        error.message.split('\n')[0]
      }${from ? ` (from ${path.relative(REPO_ROOT, from)})` : ''}`,
    );
  }
}

/**
 * KUBE_SERVER, KUBE_CA_FILE and KUBE_TOKEN as kube.sh and lib.sh set them,
 * or else the admin's connection in $ML_PLATFORM_STATE/kube.json.
 */
function readConnection() {
  const { KUBE_SERVER, KUBE_CA_FILE, KUBE_TOKEN } = process.env;
  if (KUBE_SERVER && KUBE_CA_FILE && KUBE_TOKEN) {
    return { server: KUBE_SERVER, caFile: KUBE_CA_FILE, token: KUBE_TOKEN };
  }
  const state =
    process.env.ML_PLATFORM_STATE || path.join(REPO_ROOT, '.local/platform');
  const conf = JSON.parse(
    fs.readFileSync(path.join(state, 'kube.json'), 'utf8'),
  );
  return { server: conf.server, caFile: conf.caFile, token: conf.token };
}

/**
 * The local apiserver through the -node client, and calls by manifest
 * (apiVersion, kind and metadata), each kind found by discovery.
 */
export function connect() {
  const { createKubeClient, kubeConfigFor } = loadKubernetesModule();
  const { server, caFile, token } = readConnection();
  const client = createKubeClient(
    'local',
    kubeConfigFor({
      name: 'local',
      url: server,
      authProvider: 'serviceAccount',
      getToken: async () => token,
      caFile,
      skipTLSVerify: false,
      inCluster: false,
    }),
    // A 1 MB CRD or a seed on a busy 2-core machine: a generous bound.
    { policy: { timeoutMs: 60_000 } },
  );

  /** The resource of a manifest's kind and the namespace to address it in. */
  async function locate(manifest) {
    const { apiVersion, kind, metadata } = manifest;
    const served = await client.discover(apiVersion, kind);
    if (!served) throw new Fatal(`the server has no ${kind} in ${apiVersion}`);
    return {
      resource: served.resource,
      namespace: served.namespaced ? metadata.namespace : undefined,
      name: metadata.name,
    };
  }

  return {
    client,
    locate,

    /**
     * Server-side apply, forced: the seed owns the demo state. Strict: a typo
     * in a seed must fail, not be silently pruned.
     */
    async apply(manifest, { subresource, manager = FIELD_MANAGER } = {}) {
      await locate(manifest);
      return client.apply(manifest, {
        fieldManager: manager,
        force: true,
        fieldValidation: 'Strict',
        ...(subresource && { subresource }),
      });
    },

    /** The object; a KubeNotFoundError when it is not there. */
    async get(manifest) {
      const { resource, namespace, name } = await locate(manifest);
      return client.get(resource, namespace, name);
    },

    /** Deletes the object; false when it was not there. */
    async delete(manifest, options) {
      const { resource, namespace, name } = await locate(manifest);
      return client.delete(resource, namespace, name, options);
    },

    async mergePatch(manifest, patch, options) {
      const { resource, namespace, name } = await locate(manifest);
      return client.mergePatch(resource, namespace, name, patch, options);
    },
  };
}

/** Whether an error of the client is the apiserver's 404. */
export const isNotFound = error => error?.kubeStatus?.status === 404;
