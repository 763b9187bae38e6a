import { KubeConfig } from '@kubernetes/client-node';
import type { WatchableCluster } from './readClusters';

const USER = 'ml-platform';

/**
 * How long a watch may take to connect and get its answer's headers; once
 * open it streams for as long as the apiserver keeps it.
 * @public
 */
export const WATCH_CONNECT_TIMEOUT_MS = 15_000;

/**
 * A KubeConfig whose watch connections end when the apiserver does not
 * answer in time: client-node's Watch sets no bound of its own, so a stalled
 * apiserver would keep a watch "connecting" forever and its kind silently
 * stale.
 */
class BoundedWatchKubeConfig extends KubeConfig {
  constructor(private readonly watchConnectTimeoutMs: number) {
    super();
  }

  override async applyToFetchOptions(
    opts: Parameters<KubeConfig['applyToFetchOptions']>[0],
  ) {
    const init = await super.applyToFetchOptions(opts);
    return { ...init, timeout: init.timeout || this.watchConnectTimeoutMs };
  }
}

/**
 * The client-node configuration of one configured cluster. The credential
 * is asked for on every request and watch connection, so a rotated
 * in-cluster token is picked up without a restart.
 * @public
 */
export function kubeConfigFor(
  cluster: WatchableCluster,
  options: { watchConnectTimeoutMs?: number } = {},
): KubeConfig {
  const kubeConfig = new BoundedWatchKubeConfig(
    options.watchConnectTimeoutMs ?? WATCH_CONNECT_TIMEOUT_MS,
  );
  kubeConfig.addAuthenticator({
    isAuthProvider: user => user.name === USER,
    async applyAuthentication(_user, opts) {
      const token = await cluster.getToken();
      if (token) {
        opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
      }
    },
  });
  const plainHttp = new URL(cluster.url).protocol === 'http:';
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url.replace(/\/+$/, ''),
        caData: cluster.caData,
        caFile: cluster.caFile,
        // client-node refuses http: unless told there is no TLS to verify
        // (kubectl proxy on loopback).
        skipTLSVerify: cluster.skipTLSVerify || plainHttp,
      },
    ],
    users: [{ name: USER }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: USER }],
    currentContext: cluster.name,
  });
  return kubeConfig;
}
