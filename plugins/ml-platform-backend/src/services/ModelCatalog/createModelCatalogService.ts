import { LoggerService } from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ModelRegistry } from '@mlplatform/plugin-ml-platform-node';
import {
  ModelVersion,
  RolloutAuditRecord,
} from '@mlplatform/plugin-ml-platform-common';
import { coalesce } from '../../lib/coalesce';
import pLimit from 'p-limit';
import { LineageResolver } from '../Lineage';
import { FirstServing, LeadTimeStore } from '../LeadTime';
import { attachLeadTimes } from './attachLeadTimes';
import { lastRolloutOf } from './lastRolloutOf';
import { isDeploymentOf, summarizeModel } from './summarizeModel';
import { queryModels } from './queryModels';
import {
  RegistryRead,
  RegistrySnapshot,
  RegistrySnapshotStore,
  createSharedRegistryReads,
} from '../RegistrySnapshots';
import { DeploymentSource, ModelCatalogService } from './types';

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
// A replica that dies mid-read holds its claim this long: the read's own
// bound, and a margin for writing what it read.
const CLAIM_LEASE_MS = READ_TIMEOUT_MS + 60_000;
// How often a replica waiting for another one's read looks for it.
const SHARED_READ_WAIT_MS = 250;

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
  /**
   * Where replicas share their reads: with it, each registry is read by
   * one replica at a time and the others load what it stored; without it,
   * this process reads every registry itself.
   */
  snapshotStore?: RegistrySnapshotStore;
  /**
   * The registry of deployments whose workloads name none (no
   * `ml-platform.io/registry` label); defaults to the first registry.
   */
  defaultRegistryId?: string;
}): ModelCatalogService {
  const { registries, lineage, leadTimes, logger, sourceTimeoutMs } = options;
  const defaultRegistryId = options.defaultRegistryId ?? registries[0]?.id;

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

  // A failed read keeps serving the last good data, marked as failed. A
  // good one comes without data when it read the same as the last one.
  function apply(registryId: string, read: RegistryRead) {
    const previous = snapshots.get(registryId)!;
    snapshots.set(registryId, {
      models: read.data?.models ?? previous.models,
      versions: read.data?.versions ?? previous.versions,
      status: read.status.ok
        ? read.status
        : { ...previous.status, ...read.status },
    });
    readOnce.add(registryId);
  }

  async function readRegistry(registry: ModelRegistry): Promise<RegistryRead> {
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
      const limit = pLimit(LINEAGE_CONCURRENCY);
      const versions = lineage
        ? await Promise.all(
            read.map(v =>
              limit(async () => ({ ...v, lineage: await lineage.resolve(v) })),
            ),
          )
        : read;
      return {
        data: { models, versions },
        status: {
          id: registry.id,
          type: registry.type,
          ok: true,
          refreshedAt: new Date().toISOString(),
        },
      };
    } catch (e) {
      const error = String((e as Error)?.message ?? e);
      logger.warn(`Reading model registry ${registry.id} failed: ${error}`);
      return {
        status: { id: registry.id, type: registry.type, ok: false, error },
      };
    }
  }

  const byId = new Map(registries.map(r => [r.id, r]));
  const shared =
    options.snapshotStore &&
    createSharedRegistryReads({
      store: options.snapshotStore,
      registryIds: registries.map(r => r.id),
      read: id => readRegistry(byId.get(id)!),
      apply,
      leaseMs: CLAIM_LEASE_MS,
      waitMs: SHARED_READ_WAIT_MS,
    });

  const refreshRegistry = shared
    ? (registry: ModelRegistry) => shared.refresh(registry.id)
    : async (registry: ModelRegistry) =>
        apply(registry.id, await readRegistry(registry));

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
  // Shared reads fail only when the database does; the registries then stay
  // unread here until the next scheduled refresh or webhook.
  const startShared = (reads: NonNullable<typeof shared>) =>
    reads.start().catch(e => {
      logger.warn(`Loading the stored model registry snapshots failed: ${e}`);
    });
  const ready = () => (firstRead ??= shared ? startShared(shared) : readAll());
  // A page view waits for the first read only as long as one source may take;
  // then it answers with what is known, and each registry not read yet says so.
  const readyOrTimeout = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => {
      timer = setTimeout(resolve, sourceTimeoutMs);
    });
    await Promise.race([ready(), timeout]).finally(() => clearTimeout(timer));
  };
  /**
   * Why the registries that could hold a model (the one named, else all)
   * cannot say it has none: not read yet, or the last read failed.
   */
  const whereUnknown = (registryId?: string): string[] =>
    registries
      .filter(r => !registryId || r.id === registryId)
      .flatMap(r => {
        if (!readOnce.has(r.id)) {
          return [
            `model registry ${r.id} is still being read for the first time`,
          ];
        }
        const { status } = snapshots.get(r.id)!;
        return status.ok
          ? []
          : [`${r.type} registry ${r.id} is unreachable: ${status.error}`];
      });

  async function summaries(model?: string) {
    const { deployments, clusters } = deploymentSource.listDeployments();
    const [first, rollouts] = await Promise.all([
      firstServing(model),
      options.lastRollouts?.() ?? [],
    ]);
    const lastRollout = lastRolloutOf(rollouts);
    // Grouped once per call: filtering every version and deployment for each
    // model made a listing quadratic (seconds for 2,000 models x 5 versions).
    const deploymentsByModel = Map.groupBy(deployments, d => d.model);
    const items = [...snapshots.values()]
      .flatMap(s => {
        const versionsByModel = Map.groupBy(s.versions, v => v.name);
        return s.models
          .filter(m => !model || m.name === model)
          .map(m => ({
            ...summarizeModel(
              m,
              attachLeadTimes(
                versionsByModel.get(m.name) ?? [],
                first,
                defaultRegistryId,
              ),
              (deploymentsByModel.get(m.name) ?? []).filter(
                isDeploymentOf(m, defaultRegistryId),
              ),
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
    async refresh(refreshOptions) {
      const started = Date.now();
      if (!firstRead) {
        await ready();
        if (!shared) return;
      }
      await firstRead;
      // Shared reads may have been loaded from a snapshot stored long ago,
      // or made by another replica a moment ago (the first read, a webhook).
      const readAfter = started - (refreshOptions?.maxAgeMs ?? 0);
      const stale = registries.filter(r => {
        const { refreshedAt } = snapshots.get(r.id)!.status;
        return !shared || !refreshedAt || Date.parse(refreshedAt) < readAfter;
      });
      await Promise.all(stale.map(r => gates.get(r.id)!()));
    },

    async loadSnapshots() {
      await shared?.sync();
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
      if (matches.length === 0) {
        // Not a 404: the model may well be in a registry still being read,
        // or in one that does not answer.
        const unknown = whereUnknown(registryId);
        if (unknown.length > 0) {
          throw new ServiceUnavailableError(
            `Cannot tell whether registered model '${name}' exists: ${unknown.join(
              '; ',
            )}. Try again once the registry answers`,
          );
        }
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
          defaultRegistryId,
        ),
        deployments: deployments.filter(
          isDeploymentOf(model, defaultRegistryId),
        ),
        registries: statuses(),
        clusters,
      };
    },
  };
}
