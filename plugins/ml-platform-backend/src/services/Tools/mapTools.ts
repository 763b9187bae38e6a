import type { V1Service } from '@kubernetes/client-node';
import { ML_PLATFORM_LABELS } from '@mlplatform/plugin-ml-platform-common';
import type { ToolDiscovery } from './readToolDiscovery';
import type { FoundTool } from './types';

/** The annotation on a tool's Service that names its dashboard's public URL. */
const DASHBOARD_URL_ANNOTATION = 'ml-platform.io/dashboard-url';

/** Health endpoints of the known tool types, relative to the tool's URL. */
const HEALTH_PATHS: Readonly<Record<string, string>> = {
  mlflow: 'health',
  zenml: 'health',
  lakefs: 'api/v1/healthcheck',
};

/** A tool given in `mlPlatform.tools`. */
export interface ConfiguredTool {
  name: string;
  type: string;
  url: string;
  healthUrl?: string;
}

/** Whether a string is an absolute http(s) URL, the only kind ever probed. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * The type's health endpoint under the tool's URL, keeping a base path:
 * `https://h/mlflow` gives `https://h/mlflow/health`.
 */
export function healthUrlOf(type: string, url: string): string | undefined {
  const path = HEALTH_PATHS[type.toLowerCase()];
  if (!path) return undefined;
  const base = new URL(url);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(path, base).toString();
}

function withHealth(
  tool: Omit<FoundTool, 'healthUrl' | 'problem'>,
  healthUrl: string | undefined,
): FoundTool {
  if (healthUrl) return { ...tool, healthUrl };
  return {
    ...tool,
    problem: `no health check is known for tool type '${tool.type}'${
      tool.cluster ? '' : '; set healthUrl'
    }`,
  };
}

/** A tool from config; its URLs were checked when config was read. */
export function toolFromConfig(tool: ConfiguredTool): FoundTool {
  const { name, type, url } = tool;
  return withHealth(
    { name, type, url },
    tool.healthUrl ?? healthUrlOf(type, url),
  );
}

/**
 * The tools of one cluster: Services labelled `ml-platform.io/tool` (its value
 * is the tool type) in the namespaces discovery allows, reachable at their
 * `ml-platform.io/dashboard-url`. Anyone who may create a Service may label
 * it, so a Service elsewhere is no tool, and a URL at a host discovery does
 * not allow is shown but never requested.
 */
export function toolsFromServices(
  cluster: string,
  services: readonly V1Service[],
  discovery: Pick<ToolDiscovery, 'allowsNamespace' | 'allowsHost'>,
): FoundTool[] {
  return services.flatMap(service => {
    const { name, namespace, labels, annotations } = service.metadata ?? {};
    const type = labels?.[ML_PLATFORM_LABELS.tool];
    if (!name || !type || !discovery.allowsNamespace(namespace)) return [];
    const tool = { name, type, cluster, namespace };
    const where = `Service ${namespace}/${name} in cluster '${cluster}'`;
    const url = annotations?.[DASHBOARD_URL_ANNOTATION]?.trim();
    if (!url) {
      return [
        {
          ...tool,
          problem: `no public URL: ${where} has no ${DASHBOARD_URL_ANNOTATION} annotation`,
        },
      ];
    }
    if (!isHttpUrl(url)) {
      return [
        {
          ...tool,
          problem: `${where} has an invalid ${DASHBOARD_URL_ANNOTATION} annotation '${url}': expected an http(s) URL`,
        },
      ];
    }
    if (!discovery.allowsHost(url)) {
      return [
        {
          ...tool,
          url,
          problem: `not probed: ${
            new URL(url).host
          } is not a host of mlPlatform.toolDiscovery.hosts`,
        },
      ];
    }
    return [withHealth({ ...tool, url }, healthUrlOf(type, url))];
  });
}

/** Config tools first, then by name, cluster and namespace. */
export function compareTools(a: FoundTool, b: FoundTool): number {
  return (
    Number(a.cluster !== undefined) - Number(b.cluster !== undefined) ||
    a.name.localeCompare(b.name) ||
    (a.cluster ?? '').localeCompare(b.cluster ?? '') ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '')
  );
}
