import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type {
  ModelDetailsResponse,
  ModelListResponse,
  ModelSummary,
  ModelVersion,
} from '@mlplatform/plugin-ml-platform-common';

const PLUGIN_ID = 'ml-platform';
const PAGE_SIZE = 500;

/** What the collator reads of the ML Platform backend. */
export interface MlPlatformReader {
  /** Every model the backend lists, a page at a time. */
  models(): AsyncGenerator<ModelSummary[]>;
  /** A model's versions, newest first. */
  versions(model: ModelSummary): Promise<ModelVersion[]>;
}

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return JSON.parse(text).error?.message ?? text;
  } catch {
    // Not a Backstage error body, e.g. from a proxy in between.
    return text.trim() || response.statusText;
  }
}

/**
 * Reads the ML Platform backend's API (`GET /models`, `GET /models/:name`)
 * with the calling plugin's own service credentials, so the index holds
 * what that service principal may read and no more; the backend never
 * reaches MLflow on its behalf but answers from what it already read.
 */
export function createMlPlatformReader(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): MlPlatformReader {
  const { discovery, auth } = options;

  const get = async <T>(path: string): Promise<T> => {
    const baseUrl = await discovery.getBaseUrl(PLUGIN_ID);
    const credentials = await auth.getOwnServiceCredentials();
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: PLUGIN_ID,
    });
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (response.ok) {
      return (await response.json()) as T;
    }
    const why = await describeFailure(response);
    if (response.status === 401 || response.status === 403) {
      throw new NotAllowedError(
        `The ML Platform backend refused GET ${path} to this plugin's service principal (${response.status}): ${why}`,
      );
    }
    throw new Error(
      `The ML Platform backend answered GET ${path} with ${response.status}: ${why}`,
    );
  };

  return {
    async *models() {
      for (let offset = 0; ; ) {
        const page = await get<ModelListResponse>(
          `/models?offset=${offset}&limit=${PAGE_SIZE}`,
        );
        // A registry never read yet is missing from the listing, not
        // empty: an index of what is left would drop all its models.
        const unread = page.registries.filter(r => !r.ok && !r.refreshedAt);
        if (unread.length > 0) {
          throw new Error(
            `Not indexing the models while ${unread
              .map(r => `registry ${r.id} is not read yet (${r.error})`)
              .join(', ')}`,
          );
        }
        if (page.items.length > 0) {
          yield page.items;
        }
        offset += page.items.length;
        if (page.items.length === 0 || offset >= page.totalCount) {
          return;
        }
      }
    },

    async versions(model) {
      const details = await get<ModelDetailsResponse>(
        `/models/${encodeURIComponent(
          model.name,
        )}?registry=${encodeURIComponent(model.registryId)}`,
      );
      return details.versions;
    },
  };
}
