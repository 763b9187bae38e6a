import { LoggerService } from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import {
  ModelRegistryStatus,
  ModelVersion,
  RegisteredModel,
  RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';
import { coalesce } from '../../lib/coalesce';
import { groupBy } from '../../lib/groupBy';
import { mapWithConcurrency } from '../../lib/mapWithConcurrency';
import { LineageResolver } from '../Lineage';
import { FirstServing, LeadTimeStore } from '../LeadTime';
import { attachLeadTimes } from './attachLeadTimes';
import { lastRolloutOf } from './lastRolloutOf';
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

// As long as the scheduled refresh task may run.
const READ_TIMEOUT_MS = 10 * 60_000;

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
  /** Each model's newest succeeded rollout, from the audit trail. */
  lastRollouts?: () => Promise<RolloutAuditRecord[]>;
  logger: LoggerService;
  sourceTimeoutMs: number;
}): ModelCatalogService {
  const { registries, lineage, leadTimes, logger, sourceTimeoutMs } = options;

  // Lead times come from the plugin's database, never from the clusters or
  // the registries, so a page view still costs them nothing.
  const firstServing = async (
    model?: string,
  ): Promise<Map<string, FirstServing>> =>
    leadTimes ? leadTimes.firstServing({ model }) : new Map();

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
          error: 'The first read is under way',
        },
      },
    ]),
  );

  // Registries whose first read has ended, well or not.
  const readOnce = new Set<string>();

  async function refreshRegistry(registry: ModelRegistry) {
    try {
      await readRegistry(registry);
    } finally {
      readOnce.add(registry.id);
    }
  }

  async function readRegistry(registry: ModelRegistry) {
    const previous = snapshots.get(registry.id)!;
    try {
      // A whole read of a large registry takes long (seconds per thousand
      // versions, minutes the first time, when every MLmodel is read); each
      // request of it has its own timeout, so this bound only catches a read
      // that hangs.
      const [models, read] = await withTimeout(
        Promise.all([registry.listModels(), registry.listVersions()]),
        READ_TIMEOUT_MS,
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

  // One gate per registry: refreshes asked for while a read runs share the
  // next one, so a burst of requests, webhooks and the schedule never read a
  // registry twice at once, and an older read never overwrites a newer one.
  const gates = new Map(
    registries.map(r => [r.id, coalesce(() => refreshRegistry(r))]),
  );
  const readAll = async () => {
    await Promise.all([...gates.values()].map(read => read()));
  };
  let firstRead: Promise<void> | undefined;
  const ready = () => (firstRead ??= readAll());
  // A page view waits for the first read only as long as one source may take;
  // then it answers with what is known, and each registry not read yet says so.
  const readyOrTimeout = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => {
      timer = setTimeout(resolve, sourceTimeoutMs);
    });
    await Promise.race([ready(), timeout]).finally(() => clearTimeout(timer));
  };
  const notReadYet = () =>
    registries.map(r => r.id).filter(id => !readOnce.has(id));

  async function summaries(model?: string) {
    const { deployments, clusters } = deploymentSource.listDeployments();
    const [first, rollouts] = await Promise.all([
      firstServing(model),
      options.lastRollouts?.() ?? [],
    ]);
    const lastRollout = lastRolloutOf(rollouts);
    // Grouped once per call: filtering every version and deployment for each
    // model made a listing quadratic (seconds for 2,000 models x 5 versions).
    const deploymentsByModel = groupBy(deployments, d => d.model);
    const items = [...snapshots.values()]
      .flatMap(s => {
        const versionsByModel = groupBy(s.versions, v => v.name);
        return s.models
          .filter(m => !model || m.name === model)
          .map(m => ({
            ...summarizeModel(
              m,
              attachLeadTimes(versionsByModel.get(m.name) ?? [], first),
              (deploymentsByModel.get(m.name) ?? []).filter(isDeploymentOf(m)),
            ),
            ...lastRollout(m),
          }));
      })
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
      await readAll();
    },

    async refreshRegistry(registryId) {
      const read = gates.get(registryId);
      if (!read) {
        throw new NotFoundError(`No model registry with id '${registryId}'`);
      }
      await read();
    },

    async listModels(query) {
      await readyOrTimeout();
      const { items, clusters } = await summaries();
      return {
        ...queryModels(items, query),
        registries: statuses(),
        clusters,
      };
    },

    async getModel(name, registryId) {
      await readyOrTimeout();
      const { items, deployments, clusters } = await summaries(name);
      const matches = items.filter(
        m => m.name === name && (!registryId || m.registryId === registryId),
      );
      const unread = notReadYet();
      if (matches.length === 0 && unread.length > 0) {
        // Not a 404: the model may well be in a registry still being read.
        throw new ServiceUnavailableError(
          `Model registry ${unread.join(
            ', ',
          )} is still being read for the first time; try again shortly`,
        );
      }
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
        versions: attachLeadTimes(
          snapshot.versions.filter(v => v.name === name).sort(byVersionDesc),
          await firstServing(name),
        ),
        deployments: deployments.filter(isDeploymentOf(model)),
        registries: statuses(),
        clusters,
      };
    },
  };
}
