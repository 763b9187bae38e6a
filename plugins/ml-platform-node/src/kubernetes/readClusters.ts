import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';

/** Same key as `@backstage/plugin-kubernetes-common`'s ANNOTATION_KUBERNETES_AUTH_PROVIDER. */
const AUTH_PROVIDER_METADATA_KEY = 'kubernetes.io/auth-provider';

/**
 * Where the kubelet mounts a pod's service account (token, ca.crt).
 * @public
 */
export const IN_CLUSTER_SERVICE_ACCOUNT_DIR =
  '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A cluster we can open watches on and send requests to.
 * @public
 */
export interface WatchableCluster {
  name: string;
  url: string;
  /** The kubernetes plugin's auth provider the credential comes from. */
  authProvider: 'serviceAccount' | 'localKubectlProxy';
  /**
   * The bearer token to send now, or undefined to send none (kubectl proxy
   * adds its own credentials). The in-cluster token is a projected one that
   * the kubelet replaces before it expires, so call this for every request
   * or watch connection instead of keeping its result.
   */
  getToken(): Promise<string | undefined>;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  /** The portal's own pod service account authenticates to this cluster. */
  inCluster: boolean;
}

/**
 * A configured cluster, or the reason we cannot watch it. An unusable cluster
 * is reported in every answer instead of failing the whole backend, because
 * the kubernetes plugin may well be able to use it with its other auth
 * strategies.
 * @public
 */
export type ConfiguredCluster =
  | ({ usable: true } & WatchableCluster)
  | { usable: false; name: string; error: string };

/**
 * Where to find the pod's own service account; the defaults are what a pod
 * sees, tests point them elsewhere.
 * @public
 */
export interface ReadClustersOptions {
  /** Directory holding `token` and `ca.crt`; defaults to {@link IN_CLUSTER_SERVICE_ACCOUNT_DIR}. */
  serviceAccountDir?: string;
  /** Source of KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Where `kubectl proxy` listens by default, as the kubernetes plugin's locator assumes.
 * @public
 */
export const LOCAL_KUBECTL_PROXY_URL = 'http://127.0.0.1:8001';

/**
 * Auth providers of the kubernetes plugin that authenticate with the token
 * of the signed-in user: a backend plugin that watches and writes on its own
 * has no such token.
 */
const USER_TOKEN_PROVIDERS = new Set(['google', 'oidc', 'aks']);
/**
 * Auth providers of the kubernetes plugin that take the backend's cloud
 * credentials (AWS IAM, Azure identity, a Google service account).
 */
const CLOUD_PROVIDERS = new Set(['aws', 'azure', 'googleServiceAccount']);

/**
 * Reads the clusters of the standard `kubernetes` config section that
 * `@backstage/plugin-kubernetes-backend` reads, so both plugins see one list.
 * The `config` and `localKubectlProxy` locators can be read without the
 * kubernetes plugin's runtime; `catalog` and `gke` locators are skipped with
 * a warning.
 *
 * Of the plugin's auth providers, those that need no user's token and no
 * cloud SDK are honoured:
 * - `serviceAccount` with `serviceAccountToken`: that token;
 * - `serviceAccount` without one: the cluster the portal runs in, as its
 *   pod's service account, as the kubernetes plugin does it: the apiserver
 *   address from KUBERNETES_SERVICE_HOST/PORT (else the configured url), the
 *   mounted CA and the mounted token, read again on every use;
 * - `localKubectlProxy`: no credentials, `kubectl proxy` adds its own.
 *
 * A cluster with any other provider is kept with the reason it cannot be
 * used, which names the provider.
 * @public
 */
export function readClusters(
  config: Config,
  logger: LoggerService,
  options: ReadClustersOptions = {},
): ConfiguredCluster[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ConfiguredCluster[] = [];
  const names = new Set<string>();
  const add = (cluster: ConfiguredCluster) => {
    if (names.has(cluster.name)) {
      throw new InputError(
        `Duplicate kubernetes cluster name '${cluster.name}'`,
      );
    }
    names.add(cluster.name);
    if (!cluster.usable) {
      logger.warn(`ML Platform: ${cluster.error}`);
    }
    clusters.push(cluster);
  };
  for (const method of methods) {
    const type = method.getString('type');
    if (type === 'localKubectlProxy') {
      add(kubectlProxy('local', LOCAL_KUBECTL_PROXY_URL));
      continue;
    }
    if (type !== 'config') {
      logger.warn(
        `ML Platform: skipping kubernetes.clusterLocatorMethods entry of type '${type}'; only 'config' and 'localKubectlProxy' clusters can be used`,
      );
      continue;
    }
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      add(readCluster(c, options));
    }
  }
  return clusters;
}

function kubectlProxy(name: string, url: string): ConfiguredCluster {
  return {
    usable: true,
    name,
    url,
    authProvider: 'localKubectlProxy',
    getToken: async () => undefined,
    skipTLSVerify: false,
    inCluster: false,
  };
}

function readCluster(
  c: Config,
  options: ReadClustersOptions,
): ConfiguredCluster {
  const name = c.getString('name');
  const url = c.getString('url');
  const authMetadata =
    c.getOptionalConfig('authMetadata')?.get<Record<string, unknown>>() ?? {};
  const authProvider =
    (authMetadata[AUTH_PROVIDER_METADATA_KEY] as string | undefined) ??
    c.getOptionalString('authProvider');
  const unusable = (why: string): ConfiguredCluster => ({
    usable: false,
    name,
    error: `Cluster '${name}' cannot be used: ${why}`,
  });
  if (!URL.canParse(url)) {
    return unusable(`url '${url}' is not a valid URL`);
  }

  if (authProvider === 'localKubectlProxy') {
    return kubectlProxy(name, url);
  }
  if (authProvider !== 'serviceAccount') {
    return unusable(unsupportedProvider(authProvider));
  }
  const token =
    c.getOptionalString('serviceAccountToken') ??
    (authMetadata.serviceAccountToken as string | undefined);
  if (!token) {
    return inClusterServiceAccount(name, url, options, unusable);
  }
  const caFile = c.getOptionalString('caFile');
  if (caFile && !fs.existsSync(caFile)) {
    return unusable(`caFile '${caFile}' does not exist`);
  }
  return {
    usable: true,
    name,
    url,
    authProvider: 'serviceAccount',
    getToken: async () => token,
    caData: c.getOptionalString('caData'),
    caFile,
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
    inCluster: false,
  };
}

const SUPPORTED = `use authProvider 'serviceAccount' (with serviceAccountToken, or in the portal's own cluster its pod's service account) or 'localKubectlProxy'`;

function unsupportedProvider(authProvider: string | undefined): string {
  if (!authProvider) {
    return `no authProvider is configured; ${SUPPORTED}`;
  }
  if (USER_TOKEN_PROVIDERS.has(authProvider)) {
    return `authProvider '${authProvider}' signs in with each user's own token, which the ML Platform plugins do not have when they watch and write on their own; ${SUPPORTED}`;
  }
  if (CLOUD_PROVIDERS.has(authProvider)) {
    return `authProvider '${authProvider}' (the backend's cloud credentials) is not supported by the ML Platform plugins; ${SUPPORTED}`;
  }
  return `authProvider '${authProvider}' is not one of the kubernetes plugin's; ${SUPPORTED}`;
}

function inClusterServiceAccount(
  name: string,
  configuredUrl: string,
  options: ReadClustersOptions,
  unusable: (why: string) => ConfiguredCluster,
): ConfiguredCluster {
  const dir = options.serviceAccountDir ?? IN_CLUSTER_SERVICE_ACCOUNT_DIR;
  const caFile = path.join(dir, 'ca.crt');
  const tokenFile = path.join(dir, 'token');
  // The kubernetes plugin takes the in-cluster path exactly when ca.crt is mounted.
  if (!fs.existsSync(caFile) || !fs.existsSync(tokenFile)) {
    return unusable(
      `authProvider serviceAccount without serviceAccountToken uses the pod's service account, but ${dir} holds no token and ca.crt (not running in a pod?)`,
    );
  }
  const env = options.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const url =
    host && port
      ? `https://${host.includes(':') ? `[${host}]` : host}:${port}`
      : configuredUrl;
  if (!URL.canParse(url)) {
    return unusable(`url '${url}' is not a valid URL`);
  }
  return {
    usable: true,
    name,
    url,
    authProvider: 'serviceAccount',
    // The kubelet swaps the file atomically, so a read never sees half a token.
    getToken: async () =>
      (await fs.promises.readFile(tokenFile, 'utf8')).trim(),
    caFile,
    skipTLSVerify: false,
    inCluster: true,
  };
}
