import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { MlTool } from '@mlplatform/plugin-ml-platform-common';
import type { V1Service } from '@kubernetes/client-node';
import {
  TOOL_SERVICES,
  type ModelDeploymentsService,
} from '../ModelDeployments';
import { compareTools, toolFromConfig, toolsFromServices } from './mapTools';
import pLimit from 'p-limit';
import { probeHealth, type ProbeResult } from './probeHealth';
import { readToolDiscovery } from './readToolDiscovery';
import { readToolsConfig } from './readToolsConfig';
import type { FoundTool, ToolsService } from './types';

/** Tuning for tests; the defaults suit a backend. */
export interface ToolsServiceOptions {
  /** How long one health request may take. Defaults to 5 seconds. */
  probeTimeoutMs?: number;
}

/** Probes in flight at once: a few slow tools cannot hold up the rest for long. */
const PROBE_CONCURRENCY = 4;

/**
 * What users see of a failed probe at a host the config does not name: the
 * backend's log has the reason, the page does not, so that the page is no
 * port scanner of the hosts discovery allows.
 */
const UNDISCLOSED_ERROR =
  'health check failed; the reason is in the backend log';

/**
 * The ML tools of `mlPlatform.tools` and of the clusters' Services labelled
 * `ml-platform.io/tool` in the namespaces of `mlPlatform.toolDiscovery`,
 * read from the deployments cache's watches. Health is probed by
 * {@link ToolsService.probe} only, never by a read, and only at the hosts
 * discovery allows.
 */
export function createToolsService(options: {
  config: Config;
  logger: LoggerService;
  deployments: Pick<ModelDeploymentsService, 'listObjects' | 'listDeployments'>;
  options?: ToolsServiceOptions;
}): ToolsService {
  const { logger, deployments } = options;
  const timeoutMs = options.options?.probeTimeoutMs ?? 5000;
  const configured = readToolsConfig(options.config).map(toolFromConfig);
  const discovery = readToolDiscovery(options.config);
  /** Last result per health URL, so tools sharing an endpoint are probed once. */
  const results = new Map<string, ProbeResult>();

  function currentTools(): FoundTool[] {
    const found = deployments
      .listObjects<V1Service>(TOOL_SERVICES)
      .flatMap(({ cluster, objects }) =>
        toolsFromServices(cluster, objects, discovery),
      );
    return [...configured, ...found].sort(compareTools);
  }

  function withHealth(tool: FoundTool): MlTool {
    const { healthUrl, problem, ...rest } = tool;
    if (problem) return { ...rest, healthy: undefined, error: problem };
    const result = healthUrl ? results.get(healthUrl) : undefined;
    if (result?.error && !discovery.isConfiguredHost(healthUrl!)) {
      return { ...rest, ...result, error: UNDISCLOSED_ERROR };
    }
    return { ...rest, healthy: undefined, ...result };
  }

  async function probeAll() {
    const urls = new Set(
      currentTools().flatMap(t => (t.healthUrl ? [t.healthUrl] : [])),
    );
    const limit = pLimit(PROBE_CONCURRENCY);
    await Promise.all(
      [...urls].map(url =>
        limit(async () => {
          const result = await probeHealth(url, timeoutMs);
          const before = results.get(url);
          if (!result.healthy && before?.healthy !== false) {
            logger.warn(`ML tools: ${result.error}`);
          } else if (result.healthy && before?.healthy === false) {
            logger.info(`ML tools: ${url} is healthy again`);
          }
          results.set(url, result);
        }),
      ),
    );
    // Forget endpoints no tool has any more.
    for (const url of results.keys()) {
      if (!urls.has(url)) results.delete(url);
    }
  }

  return {
    listTools() {
      return {
        tools: currentTools().map(withHealth),
        clusters: deployments.listDeployments().clusters,
      };
    },

    // The scheduler never starts a run while the last one is still going.
    probe: probeAll,
  };
}
