import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, ResponseError } from '@backstage/errors';
import {
  MlPlatformClient,
  type ModelSummary,
  type ModelVersion,
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

  const client = new MlPlatformClient({ discoveryApi: discovery });

  /** Calls the backend with a token of this plugin's own service principal. */
  const call = async <T>(
    what: string,
    send: (token: string) => Promise<T>,
  ): Promise<T> => {
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: PLUGIN_ID,
    });
    try {
      return await send(token);
    } catch (error) {
      if (!ResponseError.is(error)) throw error;
      const why = error.cause.message || error.statusText;
      if (error.statusCode === 401 || error.statusCode === 403) {
        throw new NotAllowedError(
          `The ML Platform backend refused ${what} to this plugin's service principal (${error.statusCode}): ${why}`,
        );
      }
      throw new Error(
        `The ML Platform backend answered ${what} with ${error.statusCode}: ${why}`,
      );
    }
  };

  return {
    async *models() {
      for (let offset = 0; ; ) {
        const page = await call(
          `GET /models?offset=${offset}&limit=${PAGE_SIZE}`,
          token => client.listModels({ offset, limit: PAGE_SIZE }, { token }),
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
      const what = `GET /models/${model.name}?registry=${model.registryId}`;
      const details = await call(what, token =>
        client.getModel(model.name, model.registryId, { token }),
      );
      if (!details) {
        throw new Error(`The ML Platform backend answered ${what} with 404`);
      }
      return details.versions;
    },
  };
}
