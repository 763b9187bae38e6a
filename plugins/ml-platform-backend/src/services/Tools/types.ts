import type { ToolsResponse } from '@mlplatform/plugin-ml-platform-common';

/**
 * The ML tools of the clusters and of config, with their health. Reading
 * answers from memory; only {@link ToolsService.probe} sends requests.
 */
export interface ToolsService {
  /** The tools as the watches see them now, with the last probe results. */
  listTools(): ToolsResponse;
  /** Probes every tool's health endpoint once; meant for a scheduled task. */
  probe(): Promise<void>;
}

/** A tool before its health is known. */
export interface FoundTool {
  name: string;
  type: string;
  cluster?: string;
  namespace?: string;
  url?: string;
  /** What the probe requests; absent when the tool cannot be probed. */
  healthUrl?: string;
  /** Why the tool has no URL or cannot be probed. */
  problem?: string;
}
