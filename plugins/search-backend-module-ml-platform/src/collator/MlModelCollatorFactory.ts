import { Readable } from 'node:stream';
import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { DocumentCollatorFactory } from '@backstage/plugin-search-common';
import {
  ML_MODEL_SEARCH_TYPE,
  mlPlatformModelReadPermission,
  type MlModelSearchDocument,
} from '@mlplatform/plugin-ml-platform-common';
import {
  readTrustedLocations,
  type TrustedLocations,
} from '@mlplatform/plugin-ml-platform-node';
import { findModelPages } from './findModelPages';
import {
  createMlPlatformReader,
  type MlPlatformReader,
} from './readMlPlatform';
import { toSearchDocuments } from './toSearchDocuments';

// The backend answers from memory; a few at a time keeps a large registry's
// indexing from crowding out the portal's own requests.
const DETAILS_AT_ONCE = 4;

/** Options of {@link MlModelCollatorFactory.fromConfig}. @public */
export interface MlModelCollatorFactoryOptions {
  auth: AuthService;
  discovery: DiscoveryService;
  catalog: CatalogService;
  logger: LoggerService;
}

/**
 * Collates the registered models of the ML Platform, and each of their
 * versions, into documents of type `ml-model` for the search backend: name,
 * description, aliases, owner and serialization safety, each linking to
 * the model tab of its catalog entity. Reads through the ML Platform
 * backend's API with the search plugin's service credentials; at query
 * time the search backend shows them only to users allowed
 * `ml-platform.model.read`.
 * @public
 */
export class MlModelCollatorFactory implements DocumentCollatorFactory {
  readonly type = ML_MODEL_SEARCH_TYPE;
  readonly visibilityPermission = mlPlatformModelReadPermission;

  static fromConfig(
    config: Config,
    options: MlModelCollatorFactoryOptions,
  ): MlModelCollatorFactory {
    return new MlModelCollatorFactory({
      ...options,
      reader: createMlPlatformReader(options),
      trustedLocations: readTrustedLocations(config),
    });
  }

  readonly #reader: MlPlatformReader;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  readonly #trustedLocations: TrustedLocations;

  private constructor(options: {
    reader: MlPlatformReader;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    trustedLocations: TrustedLocations;
  }) {
    this.#reader = options.reader;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#trustedLocations = options.trustedLocations;
  }

  async getCollator(): Promise<Readable> {
    return Readable.from(this.#execute());
  }

  async *#execute(): AsyncGenerator<MlModelSearchDocument> {
    const pageOf = await findModelPages({
      catalog: this.#catalog,
      auth: this.#auth,
      trustedLocations: this.#trustedLocations,
    });
    let models = 0;
    let versions = 0;
    for await (const page of this.#reader.models()) {
      for (let i = 0; i < page.length; i += DETAILS_AT_ONCE) {
        const batch = page.slice(i, i + DETAILS_AT_ONCE);
        const details = await Promise.all(
          batch.map(m => this.#reader.versions(m)),
        );
        for (const [j, model] of batch.entries()) {
          models += 1;
          versions += details[j].length;
          yield* toSearchDocuments(
            model,
            details[j],
            pageOf(model.registryId, model.name),
          );
        }
      }
    }
    this.#logger.info(
      `Collated ${models} registered models and ${versions} versions for search`,
    );
  }
}
