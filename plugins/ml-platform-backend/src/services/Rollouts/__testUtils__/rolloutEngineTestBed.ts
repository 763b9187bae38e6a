import { createKubernetesClusters } from '@mlplatform/plugin-ml-platform-node';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { Config } from '@backstage/config';
import type { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import { createRolloutAuditStore } from '../../Audit';
import type { RolloutAuditStore } from '../../Audit';
import { createModelCatalogService } from '../../ModelCatalog';
import type { ModelCatalogService } from '../../ModelCatalog';
import { createModelDeploymentsService } from '../../ModelDeployments';
import type { ModelDeploymentsService } from '../../ModelDeployments';
import { createRolloutService } from '../createRolloutService';
import { BUILT_IN_TRAFFIC_KINDS } from '../../../kinds';
import { createTrafficKinds } from '../../TrafficKinds';
import type { RolloutService } from '../types';
import { createRoute, createVersionService } from './fixtures';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubeOk,
  localClusterClients,
  localKubernetesConfig,
  paths,
} from './localKube';

/**
 * The real rollout engine for a test file: the catalog watching the local
 * cluster with the given registry, an audit store on SQLite, and a namespace
 * of the file's own, all living as long as the file.
 */
export function useRolloutEngineTestBed(options: { registry: ModelRegistry }) {
  const { registry } = options;
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let namespace: string | undefined;
  let database: ReturnType<typeof mockServices.database> | undefined;
  let audit: RolloutAuditStore | undefined;
  let deployments: ModelDeploymentsService | undefined;
  let catalog: ModelCatalogService | undefined;

  beforeAll(async () => {
    namespace = await createTestNamespace();
    const knex = await databases.init('SQLITE_3');
    database = mockServices.database({ knex });
    audit = await createRolloutAuditStore({ database });
    deployments = createModelDeploymentsService({
      clusters: createKubernetesClusters({
        config: await localKubernetesConfig(),
        logger: mockServices.logger.mock(),
      }),
      kinds: BUILT_IN_TRAFFIC_KINDS,
      logger: mockServices.logger.mock(),
    });
    await deployments.start();
    catalog = createModelCatalogService({
      registries: [registry],
      deployments,
      logger: mockServices.logger.mock(),
      sourceTimeoutMs: 10_000,
    });
  });

  afterAll(async () => {
    await deployments?.stop();
    if (namespace) await deleteTestNamespace(namespace);
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test bed is not set up yet');
    return value;
  };

  const bed = {
    get ns() {
      return ready(namespace);
    },
    get database() {
      return ready(database);
    },
    get audit() {
      return ready(audit);
    },
    get catalog() {
      return ready(catalog);
    },

    /** A rollout service on the built-in traffic kinds, with the given config. */
    async rolloutService(config: Config): Promise<RolloutService> {
      return createRolloutService({
        kinds: createTrafficKinds(BUILT_IN_TRAFFIC_KINDS, {
          client: await localClusterClients(),
          objects: cluster => ready(deployments).syncedObjects(cluster),
        }),
        catalog: bed.catalog,
        audit: bed.audit,
        config,
        logger: mockServices.logger.mock(),
      });
    },

    /** The weights of the route's traffic rule, in the order of its backends. */
    async routeWeights(name: string): Promise<number[]> {
      const route = await kubeOk('GET', `${paths.httpRoutes(bed.ns)}/${name}`);
      return route.spec.rules[1].backendRefs.map(
        (r: { weight: number }) => r.weight,
      );
    },

    /**
     * A Service per version and a route splitting them with the given weights
     * (in ascending version order); resolves once the catalog sees the route.
     */
    async routedModel(
      model: string,
      weights: Record<string, number>,
      metadata: { labels?: Record<string, string> } = {},
    ) {
      const versions = Object.keys(weights);
      for (const v of versions) await createVersionService(bed.ns, model, v);
      await createRoute(
        bed.ns,
        model,
        versions.map(v => ({ service: `${model}-v${v}`, weight: weights[v] })),
        metadata,
      );
      await bed.untilCatalogShows(model, 'HTTPRoute');
    },

    /** Resolves with the model's deployment in the namespace once its router is of the kind. */
    async untilCatalogShows(model: string, routerKind: string) {
      for (let i = 0; i < 600; i++) {
        const details = await bed.catalog.getModel(model, registry.id);
        const deployment = details.deployments.find(
          d => d.namespace === bed.ns,
        );
        if (deployment?.router?.kind === routerKind) return deployment;
        await new Promise(r => setTimeout(r, 100));
      }
      throw new Error(`The catalog never showed ${model} in ${bed.ns}`);
    },
  };
  return bed;
}
