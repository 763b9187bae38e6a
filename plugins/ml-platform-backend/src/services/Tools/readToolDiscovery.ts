import type { Config } from '@backstage/config';
import { isHttpUrl } from './mapTools';

/**
 * Which discovered tools the backend may probe: Services labelled as a tool
 * are read only in these namespaces, and probed only at these hosts.
 */
export interface ToolDiscovery {
  /** Whether a tool Service in this namespace (of any cluster) counts. */
  allowsNamespace(namespace: string | undefined): boolean;
  /** Whether a discovered tool's URL may be requested. */
  allowsHost(url: string): boolean;
  /**
   * Whether the URL is at a host the config names itself (a tool, a
   * registry, ZenML, lakeFS): only for those does a failed probe say why.
   */
  isConfiguredHost(url: string): boolean;
}

/** Every URL in the plugin's config that the backend already talks to or links to. */
function configuredUrls(config: Config): string[] {
  const urls: Array<string | undefined> = [];
  for (const tool of config.getOptionalConfigArray('mlPlatform.tools') ?? []) {
    urls.push(
      tool.getOptionalString('url'),
      tool.getOptionalString('healthUrl'),
    );
  }
  for (const registry of config.getOptionalConfigArray(
    'mlPlatform.registries.mlflow',
  ) ?? []) {
    urls.push(
      registry.getOptionalString('baseUrl'),
      registry.getOptionalString('uiUrl'),
    );
  }
  for (const [key, ui] of [
    ['zenml', 'dashboardUrl'],
    ['lakefs', 'uiUrl'],
  ]) {
    const c = config.getOptionalConfig(`mlPlatform.${key}`);
    urls.push(c?.getOptionalString('baseUrl'), c?.getOptionalString(ui));
  }
  return urls.filter((u): u is string => !!u && isHttpUrl(u));
}

const defaultPort = (url: URL) => (url.protocol === 'https:' ? '443' : '80');

/**
 * A host pattern: `mlflow.example.com` (any port), `mlflow.example.com:443`
 * (that port), `*.example.com` (any subdomain, any port).
 */
function matchesHost(pattern: string, url: URL): boolean {
  const [name, port] = pattern.toLowerCase().split(/:(?=\d+$)/);
  if (port !== undefined && port !== (url.port || defaultPort(url))) {
    return false;
  }
  const hostname = url.hostname.toLowerCase();
  return name.startsWith('*.')
    ? hostname.endsWith(name.slice(1))
    : hostname === name;
}

/**
 * Reads `mlPlatform.toolDiscovery`. Without `namespaces`, no Service in any
 * cluster is taken for a tool; the hosts allowed are those of
 * `toolDiscovery.hosts` and every host the config already names.
 */
export function readToolDiscovery(config: Config): ToolDiscovery {
  const namespaces = new Set(
    config.getOptionalStringArray('mlPlatform.toolDiscovery.namespaces') ?? [],
  );
  const hosts =
    config.getOptionalStringArray('mlPlatform.toolDiscovery.hosts') ?? [];
  const configured = new Set(configuredUrls(config).map(u => new URL(u).host));
  const isConfiguredHost = (url: string) =>
    isHttpUrl(url) && configured.has(new URL(url).host);
  return {
    allowsNamespace: namespace =>
      namespace !== undefined && namespaces.has(namespace),
    allowsHost: url =>
      isConfiguredHost(url) ||
      (isHttpUrl(url) && hosts.some(h => matchesHost(h, new URL(url)))),
    isConfiguredHost,
  };
}
