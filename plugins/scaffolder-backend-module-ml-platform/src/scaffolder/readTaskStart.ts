import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';

/**
 * When the running task was created, read from the scaffolder's own API on
 * behalf of whoever started it, so that a step can say how long the whole run
 * took, from "Create" to a ready service. Undefined when the task cannot be
 * read; the caller then reports no duration rather than a wrong one.
 */
export async function readTaskStart(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  credentials: BackstageCredentials;
  taskId: string;
}): Promise<number | undefined> {
  const { discovery, auth, credentials, taskId } = options;
  const baseUrl = await discovery.getBaseUrl('scaffolder');
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: 'scaffolder',
  });
  const response = await fetch(
    `${baseUrl}/v2/tasks/${encodeURIComponent(taskId)}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!response.ok) return undefined;
  const { createdAt } = (await response.json()) as { createdAt?: string };
  const start = createdAt ? Date.parse(createdAt) : NaN;
  return Number.isNaN(start) ? undefined : start;
}
