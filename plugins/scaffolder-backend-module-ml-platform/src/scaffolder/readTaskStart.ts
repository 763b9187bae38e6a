import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';

/** When a task was created, and how finely the scaffolder stored it. */
export type TaskStart = {
  /** Milliseconds since the epoch, as stored. */
  at: number;
  /**
   * The real start lies in `[at, at + resolutionMs)`: SQLite keeps a task's
   * creation to the whole second, PostgreSQL to the millisecond or finer.
   */
  resolutionMs: number;
};

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
}): Promise<TaskStart | undefined> {
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
  return createdAt ? parseTaskTime(createdAt) : undefined;
}

/**
 * Parses a stored task time. A time without a zone is UTC (SQLite's
 * CURRENT_TIMESTAMP). One without fractional seconds is known only to the
 * second, and so is one whose fraction is all zeros: the scaffolder turns
 * SQLite's whole seconds into `.000`. Taking a rare true `.000` for a whole
 * second only widens the range shown; it never makes it wrong.
 */
export function parseTaskTime(text: string): TaskStart | undefined {
  const match =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (!match) return undefined;
  const [, date, time, fraction, zone] = match;
  const at = Date.parse(`${date}T${time}${fraction ?? ''}${zone ?? 'Z'}`);
  if (Number.isNaN(at)) return undefined;
  return { at, resolutionMs: fraction && /[1-9]/.test(fraction) ? 1 : 1000 };
}
