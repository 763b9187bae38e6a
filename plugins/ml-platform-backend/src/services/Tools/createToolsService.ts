import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { MlTool } from '@mlplatform/plugin-ml-platform-common';
import type { ModelDeploymentsService } from '../ModelDeployments';
import { compareTools, toolFromConfig, toolsFromServices } from './mapTools';
import { probeHealth, type ProbeResult } from './probeHealth';
import { readToolsConfig } from './readToolsConfig';
import type { FoundTool, ToolsService } from './types';

/** Tuning for tests; the defaults suit a backend. */
export interface ToolsServiceOptions {
  /** How long one health request may take. Defaults to 5 seconds. */
  probeTimeoutMs?: number;
}

/**
 * The ML tools of `mlPlatform.tools` and of the clusters' Services labelled
 * `ml-platform.io/tool`, read from the deployments cache's watches. Health is
 * probed by {@link ToolsService.probe} only, never by a read.
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
  /** Last result per health URL, so tools sharing an endpoint are probed once. */
  const results = new Map<string, ProbeResult>();

  function currentTools(): FoundTool[] {
    const found = deployments
      .listObjects('toolServices')
      .flatMap(({ cluster, objects }) => toolsFromServices(cluster, objects));
    return [...configured, ...found].sort(compareTools);
  }

  function withHealth(tool: FoundTool): MlTool {
    const { healthUrl, problem, ...rest } = tool;
    if (problem) return { ...rest, healthy: undefined, error: problem };
    const result = healthUrl ? results.get(healthUrl) : undefined;
    return { ...rest, healthy: undefined, ...result };
  }

  async function probeAll() {
    const urls = new Set(
      currentTools().flatMap(t => (t.healthUrl ? [t.healthUrl] : [])),
    );
    await Promise.all(
      [...urls].map(async url => {
        const result = await probeHealth(url, timeoutMs);
        const before = results.get(url);
        if (!result.healthy && before?.healthy !== false) {
          logger.warn(`ML tools: ${result.error}`);
        } else if (result.healthy && before?.healthy === false) {
          logger.info(`ML tools: ${url} is healthy again`);
        }
        results.set(url, result);
      }),
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
