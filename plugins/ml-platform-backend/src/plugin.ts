import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  ModelRegistry,
  TrafficKind,
  kubernetesClustersServiceRef,
  mlPlatformModelRegistriesExtensionPoint,
  mlPlatformTrafficKindsExtensionPoint,
} from '@mlplatform/plugin-ml-platform-node';
import { mlPlatformPermissions } from '@mlplatform/plugin-ml-platform-common';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { registerRolloutActions } from './actions/registerRolloutActions';
import {
  createCreatorCheck,
  createGradualRolloutService,
} from './services/GradualRollouts';
import { createRouter } from './router';
import { createRolloutAuditStore } from './services/Audit';
import { BUILT_IN_TRAFFIC_KINDS } from './kinds';
import { createTrafficKinds, orderTrafficKinds } from './services/TrafficKinds';
import {
  createRolloutService,
  createServingAliasMover,
} from './services/Rollouts';
import { createModelCatalogService } from './services/ModelCatalog';
import { createRegistrySnapshotStore } from './services/RegistrySnapshots';
import {
  createSafetyVerdictStore,
  readSafetyConfig,
} from './services/SerializationSafety';
import { createModelDeploymentsService } from './services/ModelDeployments';
import { startLeadTimeRecording } from './services/LeadTime';
import { createToolsService } from './services/Tools';
import { createModelOwnership } from './services/ModelOwnership';
import {
  readServicePrincipals,
  restrictServicePrincipals,
} from './services/ServicePrincipals';
import {
  LakefsClient,
  ZenmlClient,
  createLineageResolver,
  readLineageConfig,
} from './services/Lineage';
import {
  MlflowClient,
  MlflowModelRegistry,
  readMlflowRegistryConfigs,
} from './services/MlflowRegistry';
import {
  batchRefreshes,
  createMlflowWebhookReceiver,
  scheduleMlflowWebhookRegistration,
} from './services/Webhooks';

const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;
// Long enough to gather the deliveries of one script or UI action, short
// enough that the portal shows a change about as soon as MLflow does.
const WEBHOOK_BATCH_MS = 500;
const DEFAULT_SERVING_ALIAS = 'champion';

function readRefreshDuration(
  config: Config,
  key: 'frequency' | 'pollInterval' | 'minInterval',
  fallback: HumanDuration,
): HumanDuration {
  return config.has(`mlPlatform.refresh.${key}`)
    ? readDurationFromConfig(config, { key: `mlPlatform.refresh.${key}` })
    : fallback;
}

/**
 * The registry of workloads without an `ml-platform.io/registry` label:
 * `mlPlatform.defaultRegistry`, else the first configured MLflow registry,
 * else the first one a module added.
 */
function readDefaultRegistry(
  config: Config,
  ids: string[],
): string | undefined {
  const configured = config.getOptionalString('mlPlatform.defaultRegistry');
  if (configured !== undefined && !ids.includes(configured)) {
    throw new Error(
      `mlPlatform.defaultRegistry '${configured}' is no registry; expected one of ${ids.join(
        ', ',
      )}`,
    );
  }
  return configured ?? ids[0];
}

function addUnique<T extends { id: string }>(
  map: Map<string, T>,
  what: string,
  items: T[],
) {
  for (const item of items) {
    if (map.has(item.id)) {
      throw new Error(`A ${what} with id '${item.id}' is already registered`);
    }
    map.set(item.id, item);
  }
}

/**
 * The ML Platform backend plugin: model catalog, deployments and rollouts.
 *
 * @public
 */
export const mlPlatformPlugin = createBackendPlugin({
  pluginId: 'ml-platform',
  register(env) {
    const registries = new Map<string, ModelRegistry>();
    const trafficKinds = new Map<string, TrafficKind>();
    const addTrafficKind = (...items: TrafficKind[]) =>
      addUnique(trafficKinds, 'traffic kind', items);
    // The plugin's own kinds come in as a module's do.
    addTrafficKind(...BUILT_IN_TRAFFIC_KINDS);

    env.registerExtensionPoint(mlPlatformModelRegistriesExtensionPoint, {
      addModelRegistry: (...items) =>
        addUnique(registries, 'model registry', items),
    });
    env.registerExtensionPoint(mlPlatformTrafficKindsExtensionPoint, {
      addTrafficKind,
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.rootLifecycle,
        database: coreServices.database,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        clusters: kubernetesClustersServiceRef,
      },
      async init({
        config,
        logger,
        auth,
        discovery,
        httpAuth,
        httpRouter,
        permissions: policyPermissions,
        permissionsRegistry,
        scheduler,
        lifecycle,
        database,
        catalog,
        actionsRegistry,
        clusters,
      }) {
        permissionsRegistry.addPermissions(mlPlatformPermissions);
        // Every check of this plugin: service principals get only what
        // mlPlatform.servicePrincipals grants their subject.
        const servicePrincipals = readServicePrincipals(config);
        const permissions = restrictServicePrincipals(
          policyPermissions,
          servicePrincipals,
          logger,
        );
        // Who owns a model: its claims from trusted catalog locations.
        const ownership = createModelOwnership({ catalog, auth, config });

        // Configured MLflow servers join the registries from modules, under
        // the same rule: one registry per id.
        const mlflowConfigs = readMlflowRegistryConfigs(config);
        // Verdicts are kept in the database: reading every version's files
        // is most of the cost of a first read.
        const verdicts = await createSafetyVerdictStore({ database });
        const safety = readSafetyConfig(config);
        const mlflowRegistries = mlflowConfigs.map(
          c => new MlflowModelRegistry({ ...c, verdicts, ...safety }),
        );
        addUnique(registries, 'model registry', mlflowRegistries);

        const sourceTimeoutMs = config.has('mlPlatform.sourceTimeout')
          ? durationToMilliseconds(
              readDurationFromConfig(config, {
                key: 'mlPlatform.sourceTimeout',
              }),
            )
          : DEFAULT_SOURCE_TIMEOUT_MS;

        const orderedKinds = orderTrafficKinds([...trafficKinds.values()]);
        // Watches every cluster of the standard kubernetes config section;
        // reads are served from its memory.
        const deployments = createModelDeploymentsService({
          clusters,
          kinds: orderedKinds,
          logger,
        });
        await deployments.start();
        // Rollouts write with the backend's own cluster credentials; the
        // browser never gets them. Routers read what their object names from
        // the same watches.
        const kinds = createTrafficKinds(orderedKinds, {
          client: clusters.client,
          objects: cluster => deployments.syncedObjects(cluster),
        });
        // Lead times: the first moment each version serves traffic, kept in
        // the database whoever made the change.
        const leadTimes = await startLeadTimeRecording({
          database,
          deployments,
          logger,
        });
        lifecycle.addShutdownHook(async () => {
          await leadTimes.stop();
          await deployments.stop();
        });

        const tools = createToolsService({ config, logger, deployments });
        await scheduler.scheduleTask({
          id: 'ml-platform-probe-tools',
          scope: 'local',
          frequency: { minutes: 1 },
          timeout: { seconds: 30 },
          fn: () => tools.probe(),
        });

        const { zenml, lakefs } = readLineageConfig(config);
        const lineage = createLineageResolver({
          // Each request as long as one source may take.
          zenml:
            zenml && new ZenmlClient({ ...zenml, timeoutMs: sourceTimeoutMs }),
          lakefs:
            lakefs &&
            new LakefsClient({ ...lakefs, timeoutMs: sourceTimeoutMs }),
        });

        const audit = await createRolloutAuditStore({ database });
        const defaultRegistryId = readDefaultRegistry(config, [
          ...mlflowConfigs.map(c => c.id),
          ...registries.keys(),
        ]);
        const modelCatalog = createModelCatalogService({
          defaultRegistryId,
          registries: [...registries.values()],
          deployments,
          lineage,
          leadTimes,
          lastRollouts: () => audit.latestSucceededPerModel(),
          logger,
          sourceTimeoutMs,
          snapshotStore: await createRegistrySnapshotStore({ database }),
        });

        // One replica reads the registries per interval and stores what it
        // read; every replica serves its own copy from memory, loaded from
        // the database. A registry read less than half an interval ago (at
        // a replica's start, after a webhook) is not read again yet.
        const refreshFrequency = readRefreshDuration(config, 'frequency', {
          minutes: 5,
        });
        await scheduler.scheduleTask({
          id: 'ml-platform-refresh-registries',
          scope: 'global',
          frequency: refreshFrequency,
          timeout: { minutes: 10 },
          fn: () =>
            modelCatalog.refresh({
              maxAgeMs: durationToMilliseconds(refreshFrequency) / 2,
            }),
        });
        await scheduler.scheduleTask({
          id: 'ml-platform-load-registry-snapshots',
          scope: 'local',
          frequency: readRefreshDuration(config, 'pollInterval', {
            seconds: 5,
          }),
          timeout: { minutes: 1 },
          fn: () => modelCatalog.loadSnapshots(),
        });

        // A webhook asks for its registry to be read again. Events are
        // batched for a moment, and no two replicas read a registry at once,
        // so a burst of events costs a read or two; the other replicas load
        // the read within their poll interval.
        const mlflowWebhooks = createMlflowWebhookReceiver({
          secrets: new Map(
            mlflowConfigs.flatMap(c =>
              c.webhook ? [[c.id, c.webhook.secret] as const] : [],
            ),
          ),
          onCatalogEvent: batchRefreshes(registryId => {
            modelCatalog
              .refreshRegistry(registryId)
              .catch(e =>
                logger.warn(
                  `Reading model registry ${registryId} after a webhook failed: ${e}`,
                ),
              );
          }, WEBHOOK_BATCH_MS),
          logger,
        });
        await scheduleMlflowWebhookRegistration({
          configs: mlflowConfigs,
          registries: mlflowRegistries,
          scheduler,
          logger,
        });

        const servingAlias = createServingAliasMover({
          alias:
            config.getOptionalString('mlPlatform.rollouts.servingAlias') ??
            DEFAULT_SERVING_ALIAS,
          clients: new Map(
            mlflowConfigs.map(c => [
              c.id,
              new MlflowClient({
                baseUrl: c.baseUrl,
                auth: c.writeAuth ?? c.auth,
              }),
            ]),
          ),
        });
        const rollouts = createRolloutService({
          kinds,
          catalog: modelCatalog,
          audit,
          config,
          logger,
          servingAlias,
        });

        // Each step checks again that its creator may change the traffic.
        const creatorCheck = createCreatorCheck({
          permissions,
          grants: servicePrincipals,
          ownership,
          catalog,
          auth,
          discovery,
        });
        const gradualRollouts = await createGradualRolloutService({
          rollouts,
          creatorCheck,
          database,
          scheduler,
          logger,
        });
        // The same actions, with the same permission checks, for the
        // scaffolder, MCP clients and other plugins.
        registerRolloutActions({
          actionsRegistry,
          rollouts,
          audit,
          ownership,
          modelCatalog,
          permissions,
          logger,
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            modelCatalog,
            tools,
            mlflowWebhooks,
            ownership,
            rollouts,
            audit,
            gradualRollouts,
            creatorCheck,
            refreshIntervalMs: durationToMilliseconds(
              readRefreshDuration(config, 'minInterval', { seconds: 10 }),
            ),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // MLflow cannot present Backstage credentials; every delivery must
        // instead carry a valid HMAC signature made with the webhook secret.
        httpRouter.addAuthPolicy({
          path: '/webhooks/mlflow',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
