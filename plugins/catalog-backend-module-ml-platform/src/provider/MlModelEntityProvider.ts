import {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
  KubernetesValidatorFunctions,
  parseEntityRef,
  ResourceEntity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CatalogService,
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ML_PLATFORM_ANNOTATIONS,
  ML_PLATFORM_ENTITY_TYPES,
  MlPlatformClient,
  ModelListResponse,
  ModelSummary,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import {
  ML_MODEL_PROVIDER_LOCATION_TYPE,
  readTrustedLocations,
  type TrustedLocations,
} from '@mlplatform/plugin-ml-platform-node';
import { randomUUID } from 'node:crypto';
import { modelEntityName } from './modelEntityName';
import { readProviderConfig } from './readProviderConfig';

/** Location type of the `backstage.io/managed-by-location` it writes. */
const LOCATION_TYPE = ML_MODEL_PROVIDER_LOCATION_TYPE;
const ML_PLATFORM_PLUGIN_ID = 'ml-platform';
const PAGE_SIZE = 500;

/**
 * Options of {@link MlModelEntityProvider.fromConfig}.
 * @public
 */
export interface MlModelEntityProviderOptions {
  logger: LoggerService;
  scheduler: SchedulerService;
  discovery: DiscoveryService;
  auth: AuthService;
  catalog: CatalogService;
}

const modelKey = (registryId: string, name: string) => `${registryId}/${name}`;

/**
 * Emits a `Resource` of type `ml-model` for every registered model the ML
 * Platform backend lists, except models that an entity from a trusted
 * location (`mlPlatform.ownership.trustedLocations`) already names with the
 * `ml-platform.io/registered-model` annotation. Each is owned by
 * `catalog.providers.mlPlatform.defaultOwner`, whatever the model's MLflow
 * `owner` tag says.
 * @public
 */
export class MlModelEntityProvider implements EntityProvider {
  static fromConfig(
    config: RootConfigService,
    options: MlModelEntityProviderOptions,
  ): MlModelEntityProvider {
    const { schedule, defaultOwner } = readProviderConfig(config);
    return new MlModelEntityProvider({
      ...options,
      defaultOwner,
      trustedLocations: readTrustedLocations(config),
      taskRunner: options.scheduler.createScheduledTaskRunner(schedule),
    });
  }

  readonly #logger: LoggerService;
  readonly #discovery: DiscoveryService;
  readonly #auth: AuthService;
  readonly #catalog: CatalogService;
  readonly #taskRunner: SchedulerServiceTaskRunner;
  readonly #defaultOwner: string;
  readonly #trustedLocations: TrustedLocations;
  /** Models of each registry last read while it was healthy. */
  readonly #lastGood = new Map<string, ModelSummary[]>();
  #connection?: EntityProviderConnection;

  constructor(options: {
    logger: LoggerService;
    discovery: DiscoveryService;
    auth: AuthService;
    catalog: CatalogService;
    taskRunner: SchedulerServiceTaskRunner;
    /** Entity reference; a bare name means a group. Defaults to `unknown`. */
    defaultOwner?: string;
    /**
     * Whose claims replace a model's Resource; by default only this
     * provider's own (so every model keeps its Resource).
     */
    trustedLocations?: TrustedLocations;
  }) {
    this.#logger = options.logger;
    this.#discovery = options.discovery;
    this.#auth = options.auth;
    this.#catalog = options.catalog;
    this.#taskRunner = options.taskRunner;
    this.#trustedLocations = options.trustedLocations ?? (() => false);
    const defaultOwner = toOwnerRef(options.defaultOwner ?? 'unknown');
    if (!defaultOwner) {
      throw new Error(
        `catalog.providers.mlPlatform.defaultOwner '${options.defaultOwner}' is not a valid entity reference`,
      );
    }
    this.#defaultOwner = defaultOwner;
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return 'MlModelEntityProvider';
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    const id = `${this.getProviderName()}:refresh`;
    await this.#taskRunner.run({
      id,
      fn: async () => {
        const logger = this.#logger.child({
          taskId: id,
          taskInstanceId: randomUUID(),
        });
        await this.refresh(logger);
      },
    });
  }

  /**
   * Reads the models and replaces this provider's entities with them. When
   * the ML Platform backend or the catalog cannot be read, logs and leaves
   * the entities as they are: an empty full mutation would delete them all.
   */
  async refresh(logger: LoggerService = this.#logger): Promise<void> {
    if (!this.#connection) {
      throw new Error(`${this.getProviderName()} is not connected`);
    }
    let entities: DeferredEntity[];
    try {
      entities = await this.read(logger);
    } catch (error) {
      logger.error(
        `Not updating ML model entities: ${(error as Error).message}`,
      );
      return;
    }
    await this.#connection.applyMutation({ type: 'full', entities });
    logger.info(`Provided ${entities.length} ML model entities`);
  }

  /** The entities to provide, from the backend's models and the catalog. */
  async read(logger: LoggerService = this.#logger): Promise<DeferredEntity[]> {
    const { items, registries } = await this.#readModels();
    const claimed = await this.#readClaimedModels(logger);

    const models: ModelSummary[] = [];
    for (const registry of registries) {
      if (registry.ok) {
        const current = items.filter(m => m.registryId === registry.id);
        this.#lastGood.set(registry.id, current);
        models.push(...current);
      } else {
        const kept = this.#lastGood.get(registry.id) ?? [];
        logger.warn(
          `Registry '${registry.id}' is failing (${
            registry.error ?? 'no reason given'
          }); keeping its ${kept.length} models from the last good read`,
        );
        models.push(...kept);
      }
    }

    const unclaimed = models.filter(
      m =>
        !claimed.names.has(m.name) &&
        !claimed.keys.has(modelKey(m.registryId, m.name)),
    );
    return this.#toEntities(unclaimed);
  }

  async #readModels(): Promise<
    Pick<ModelListResponse, 'items' | 'registries'>
  > {
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: ML_PLATFORM_PLUGIN_ID,
    });
    const client = new MlPlatformClient({ discoveryApi: this.#discovery });
    const items: ModelSummary[] = [];
    let registries: ModelListResponse['registries'] = [];
    for (let offset = 0; ; ) {
      const page = await client.listModels(
        { offset, limit: PAGE_SIZE },
        { token },
      );
      items.push(...page.items);
      registries = page.registries;
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.totalCount) {
        return { items, registries };
      }
    }
  }

  /**
   * The models that entities outside this provider name by annotation from a
   * trusted location: a bare `<name>` claims that name in every registry (as
   * the backend resolves it), `<registry>/<name>` one model. A claim from
   * elsewhere (a location any user may register) leaves the model's
   * Resource in place, since it gives no rights over the model either.
   */
  async #readClaimedModels(
    logger: LoggerService,
  ): Promise<{ names: Set<string>; keys: Set<string> }> {
    const annotation = ML_PLATFORM_ANNOTATIONS.registeredModel;
    const { items } = await this.#catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials: await this.#auth.getOwnServiceCredentials() },
    );
    const names = new Set<string>();
    const keys = new Set<string>();
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      if (annotations[ANNOTATION_LOCATION]?.startsWith(`${LOCATION_TYPE}:`)) {
        continue; // one of ours
      }
      if (
        !this.#trustedLocations(annotations[ANNOTATION_ORIGIN_LOCATION] ?? '')
      ) {
        continue;
      }
      const value = annotations[annotation];
      if (value === undefined) continue;
      try {
        const ref = parseRegisteredModelRef(value);
        if (ref.registryId) {
          keys.add(modelKey(ref.registryId, ref.name));
        } else {
          names.add(ref.name);
        }
      } catch (error) {
        logger.debug(
          `Ignoring ${stringifyEntityRef(entity)}: ${(error as Error).message}`,
        );
      }
    }
    return { names, keys };
  }

  #toEntities(models: ModelSummary[]): DeferredEntity[] {
    const names = models.map(m => modelEntityName(m.registryId, m.name));
    const counts = new Map<string, number>();
    for (const name of names) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return models.map((model, i) => {
      const name =
        counts.get(names[i])! > 1
          ? modelEntityName(model.registryId, model.name, {
              disambiguate: true,
            })
          : names[i];
      const location = `${LOCATION_TYPE}:${modelKey(
        model.registryId,
        model.name,
      )}`;
      const entity: ResourceEntity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name,
          namespace: DEFAULT_NAMESPACE,
          title: model.name,
          ...(model.description ? { description: model.description } : {}),
          annotations: {
            [ANNOTATION_LOCATION]: location,
            [ANNOTATION_ORIGIN_LOCATION]: location,
            [ML_PLATFORM_ANNOTATIONS.registeredModel]: modelKey(
              model.registryId,
              model.name,
            ),
            ...(model.owner && {
              [ML_PLATFORM_ANNOTATIONS.ownerTag]: model.owner,
            }),
          },
          tags: [ML_PLATFORM_ENTITY_TYPES.model],
        },
        spec: {
          type: ML_PLATFORM_ENTITY_TYPES.model,
          owner: this.#defaultOwner,
        },
      };
      return { entity, locationKey: this.getProviderName() };
    });
  }
}

/** `team` → `group:default/team`; full references are kept. */
function toOwnerRef(value: string): string | undefined {
  try {
    const ref = parseEntityRef(value.trim(), {
      defaultKind: 'group',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
    const valid =
      KubernetesValidatorFunctions.isValidObjectName(ref.name) &&
      KubernetesValidatorFunctions.isValidNamespace(ref.namespace) &&
      KubernetesValidatorFunctions.isValidKind(ref.kind);
    return valid ? stringifyEntityRef(ref) : undefined;
  } catch {
    return undefined;
  }
}
