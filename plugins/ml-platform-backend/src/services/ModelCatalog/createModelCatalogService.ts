import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import {
  ModelRegistryStatus,
  ModelVersion,
  RegisteredModel,
} from '@mlplatform/plugin-ml-platform-common';
import { mapWithConcurrency } from '../../lib/mapWithConcurrency';
import { LineageResolver } from '../Lineage';
import { LeadTimeStore, firstServingOf } from '../LeadTime';
import { isDeploymentOf, summarizeModel } from './summarizeModel';
import { queryModels } from './queryModels';
import { DeploymentSource, ModelCatalogService } from './types';

interface RegistrySnapshot {
  models: RegisteredModel[];
  versions: ModelVersion[];
  status: ModelRegistryStatus;
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const byVersionDesc = (a: ModelVersion, b: ModelVersion) =>
  Number(b.version) - Number(a.version) || b.version.localeCompare(a.version);

// Lineage lookups go to ZenML and lakeFS; a few at a time keeps a first full
// read from flooding them.
const LINEAGE_CONCURRENCY = 8;

const NO_DEPLOYMENTS: DeploymentSource = {
  listDeployments: () => ({ deployments: [], clusters: [] }),
};

export function createModelCatalogService(options: {
  registries: ModelRegistry[];
  deployments?: DeploymentSource;
  lineage?: LineageResolver;
  leadTimes?: Pick<LeadTimeStore, 'firstServing'>;
  logger: LoggerService;
  sourceTimeoutMs: number;
}): ModelCatalogService {
  const { registries, lineage, leadTimes, logger, sourceTimeoutMs } = options;

  async function withLeadTimes(
    model: string,
    versions: ModelVersion[],
  ): Promise<ModelVersion[]> {
    if (!leadTimes) return versions;
    const first = await leadTimes.firstServing({ model });
    return versions.map(v => {
      const seen = firstServingOf(first, {
        registryId: v.registryId,
        model: v.name,
        version: v.version,
      });
      if (!seen) return v;
      const at = seen.at.toISOString();
      return {
        ...v,
        firstServingAt: at,
        firstServingLocation: {
          cluster: seen.cluster,
          namespace: seen.namespace,
        },
        leadTimeSeconds: v.createdAt
          ? Math.max(0, (Date.parse(at) - Date.parse(v.createdAt)) / 1000)
          : undefined,
      };
    });
  }
  const deploymentSource = options.deployments ?? NO_DEPLOYMENTS;
  const snapshots = new Map<string, RegistrySnapshot>(
    registries.map(r => [
      r.id,
      {
        models: [],
        versions: [],
        status: {
          id: r.id,
          type: r.type,
          ok: false,
          error: 'Not read yet',
        },
      },
    ]),
  );

  async function refreshRegistry(registry: ModelRegistry) {
    const previous = snapshots.get(registry.id)!;
    try {
      const [models, read] = await withTimeout(
        Promise.all([registry.listModels(), registry.listVersions()]),
        sourceTimeoutMs,
        `Model registry ${registry.id}`,
      );
      // The resolver reports ZenML or lakeFS failures inside the lineage, so
      // they never fail the registry.
      const versions = lineage
        ? await mapWithConcurrency(read, LINEAGE_CONCURRENCY, async v => ({
            ...v,
            lineage: await lineage.resolve(v),
          }))
        : read;
      snapshots.set(registry.id, {
        models,
        versions,
        status: {
          id: registry.id,
          type: registry.type,
          ok: true,
          refreshedAt: new Date().toISOString(),
        },
      });
    } catch (e) {
      const error = String((e as Error)?.message ?? e);
      logger.warn(`Reading model registry ${registry.id} failed: ${error}`);
      // Keep serving the last good data, marked as failed.
      snapshots.set(registry.id, {
        ...previous,
        status: { ...previous.status, ok: false, error },
      });
    }
  }

  const readAll = async () => {
    await Promise.all(registries.map(refreshRegistry));
  };
  // Refreshes asked for while one runs share it, so a burst of requests and
  // the schedule never read the registries twice at once.
  let inFlight: Promise<void> | undefined;
  const readOnce = () =>
    (inFlight ??= readAll().finally(() => {
      inFlight = undefined;
    }));
  let firstRead: Promise<void> | undefined;
  const ready = () => (firstRead ??= readOnce());

  function summaries() {
    const { deployments, clusters } = deploymentSource.listDeployments();
    const items = [...snapshots.values()]
      .flatMap(s =>
        s.models.map(model => {
          const versions = s.versions.filter(v => v.name === model.name);
          return summarizeModel(
            model,
            versions,
            deployments.filter(isDeploymentOf(model)),
          );
        }),
      )
      .sort(
        (a, b) =>
          a.name.localeCompare(b.name) ||
          a.registryId.localeCompare(b.registryId),
      );
    return { items, deployments, clusters };
  }

  const statuses = () => [...snapshots.values()].map(s => s.status);

  return {
    async refresh() {
      if (!firstRead) {
        await ready();
        return;
      }
      await firstRead;
      // A read that started earlier may have missed what the caller just
      // changed: wait for it, then read again.
      await inFlight;
      await readOnce();
    },

    async listModels(query) {
      await ready();
      const { items, clusters } = summaries();
      return {
        ...queryModels(items, query),
        registries: statuses(),
        clusters,
      };
    },

    async getModel(name, registryId) {
      await ready();
      const { items, deployments, clusters } = summaries();
      const matches = items.filter(
        m => m.name === name && (!registryId || m.registryId === registryId),
      );
      if (matches.length === 0) {
        throw new NotFoundError(
          `No registered model named '${name}'${
            registryId ? ` in registry '${registryId}'` : ''
          }`,
        );
      }
      if (matches.length > 1) {
        throw new InputError(
          `Registered model '${name}' exists in registries ${matches
            .map(m => m.registryId)
            .join(', ')}: name one with ?registry=`,
        );
      }
      const model = matches[0];
      const snapshot = snapshots.get(model.registryId)!;
      return {
        model,
        versions: await withLeadTimes(
          name,
          snapshot.versions.filter(v => v.name === name).sort(byVersionDesc),
        ),
        deployments: deployments.filter(isDeploymentOf(model)),
        registries: statuses(),
        clusters,
      };
    },
  };
}
