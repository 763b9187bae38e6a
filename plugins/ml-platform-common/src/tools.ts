import type { ClusterStatus } from './types';

/**
 * Well-known ML tool types; any other string names a tool type the plugins
 * show without a health check of their own.
 * @public
 */
export type MlToolType = 'mlflow' | 'zenml' | 'lakefs' | (string & {});

/**
 * One ML tool (an MLflow, ZenML or lakeFS server, ...), found in a cluster or
 * given in config, with the result of its last health probe.
 * @public
 */
export interface MlTool {
  /** The Service name, or the configured name. */
  name: string;
  type: MlToolType;
  /** Set for tools found in a cluster. */
  cluster?: string;
  /** Set for tools found in a cluster. */
  namespace?: string;
  /** The dashboard's public URL; absent when nothing tells it (then `error` says so). */
  url?: string;
  /** Result of the last probe; undefined when never probed or not probeable. */
  healthy?: boolean;
  /** When the last probe finished (ISO 8601). */
  checkedAt?: string;
  /** Why the tool is unhealthy, or why it has no URL or health check. */
  error?: string;
}

/**
 * Answer of `GET /tools`.
 * @public
 */
export interface ToolsResponse {
  tools: MlTool[];
  /** The clusters searched for tools; one that fails may be missing its tools. */
  clusters: ClusterStatus[];
}
