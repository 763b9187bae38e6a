import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';
import type { ModelDeploymentsService } from '../ModelDeployments';
import { createLeadTimeStore, firstServingKey } from './createLeadTimeStore';
import type { LeadTimeRecording, ServingObservation } from './types';

/** Every version of the deployments that gets traffic, seen at `at`. */
function servingObservations(
  deployments: ModelDeployment[],
  at: Date,
): ServingObservation[] {
  return deployments.flatMap(d =>
    d.versions
      .filter(v => v.percent > 0)
      .map(v => ({
        ...(d.registryId !== undefined && { registryId: d.registryId }),
        model: d.model,
        version: v.version,
        cluster: d.cluster,
        namespace: d.namespace,
        at,
      })),
  );
}

/**
 * Records the first moment each model version serves traffic, whoever routed
 * it there: what already serves at start, then every change the deployments
 * service reports. Resolves once what serves at start is recorded.
 */
export async function startLeadTimeRecording(options: {
  database: DatabaseService;
  deployments: Pick<ModelDeploymentsService, 'listDeployments' | 'onChange'>;
  logger: LoggerService;
  /** The clock; for tests. */
  now?: () => Date;
}): Promise<LeadTimeRecording> {
  const { database, deployments, logger, now = () => new Date() } = options;
  const store = await createLeadTimeStore({ database });

  // Versions this process has written: the store keeps the earliest time, and
  // this process sees a version serve at its earliest the first time, so
  // later sightings need no write.
  const written = new Set<string>();
  let writes = Promise.resolve();

  function observe(current: ModelDeployment[]): Promise<void> {
    const fresh = servingObservations(current, now()).filter(
      o => !written.has(firstServingKey(o)),
    );
    if (fresh.length === 0) return writes;
    const keys = fresh.map(firstServingKey);
    keys.forEach(k => written.add(k));
    writes = writes
      .then(() => store.recordServing(fresh))
      .catch(error => {
        // Forgotten, so that the next change of its cluster tries again.
        keys.forEach(k => written.delete(k));
        logger.warn(
          `Lead time: could not record ${fresh.length} first serving time(s)`,
          error as Error,
        );
      });
    return writes;
  }

  // Subscribed before the first read, so that no change falls in between.
  const unsubscribe = deployments.onChange(change => {
    void observe(change.deployments);
  });
  await observe(deployments.listDeployments().deployments);

  return {
    ...store,
    async stop() {
      unsubscribe();
      await writes;
    },
  };
}
