import fs from 'node:fs';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';

/** Same key as `@backstage/plugin-kubernetes-common`'s ANNOTATION_KUBERNETES_AUTH_PROVIDER. */
const AUTH_PROVIDER_METADATA_KEY = 'kubernetes.io/auth-provider';

/**
 * A cluster we can open watches on and send requests to.
 * @public
 */
export interface WatchableCluster {
  name: string;
  url: string;
  token: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
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
 * Reads the clusters of the standard `kubernetes` config section that
 * `@backstage/plugin-kubernetes-backend` reads, so both plugins see one list.
 * Only `type: config` locators can be read without the kubernetes plugin's
 * runtime; other locators are skipped with a warning.
 * @public
 */
export function readClusters(
  config: Config,
  logger: LoggerService,
): ConfiguredCluster[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: ConfiguredCluster[] = [];
  const names = new Set<string>();
  for (const method of methods) {
    const type = method.getString('type');
    if (type !== 'config') {
      logger.warn(
        `Model deployments: skipping kubernetes.clusterLocatorMethods entry of type '${type}'; only 'config' clusters can be watched`,
      );
      continue;
    }
    for (const c of method.getOptionalConfigArray('clusters') ?? []) {
      const cluster = readCluster(c);
      if (names.has(cluster.name)) {
        throw new InputError(
          `Duplicate kubernetes cluster name '${cluster.name}'`,
        );
      }
      names.add(cluster.name);
      if (!cluster.usable) {
        logger.warn(`Model deployments: ${cluster.error}`);
      }
      clusters.push(cluster);
    }
  }
  return clusters;
}

function readCluster(c: Config): ConfiguredCluster {
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
    error: `Cluster '${name}' cannot be watched: ${why}`,
  });

  if (authProvider !== 'serviceAccount') {
    return unusable(
      authProvider
        ? `authProvider '${authProvider}' is not supported, only 'serviceAccount' with a serviceAccountToken`
        : `no authProvider is configured; set authProvider: serviceAccount and serviceAccountToken`,
    );
  }
  const token =
    c.getOptionalString('serviceAccountToken') ??
    (authMetadata.serviceAccountToken as string | undefined);
  if (!token) {
    return unusable(
      'authProvider serviceAccount needs serviceAccountToken (the in-cluster service account is not used)',
    );
  }
  if (!URL.canParse(url)) {
    return unusable(`url '${url}' is not a valid URL`);
  }
  const caFile = c.getOptionalString('caFile');
  if (caFile && !fs.existsSync(caFile)) {
    return unusable(`caFile '${caFile}' does not exist`);
  }
  return {
    usable: true,
    name,
    url,
    token,
    caData: c.getOptionalString('caData'),
    caFile,
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
  };
}
