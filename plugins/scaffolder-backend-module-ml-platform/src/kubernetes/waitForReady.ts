import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubeClient } from '@mlplatform/plugin-ml-platform-node';
import type { PlannedObject } from './applyManifests';

/** How an object that serves traffic is doing. */
interface Readiness {
  ready: boolean;
  /** For the log and the timeout message, e.g. `1 of 2 replicas available`. */
  progress: string;
  /** Set when no controller has ever written the object's status. */
  unwatched?: boolean;
}

function deploymentReadiness(o: any): Readiness {
  const wanted = o.spec?.replicas ?? 1;
  const status = o.status ?? {};
  const available = status.availableReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const observed = (status.observedGeneration ?? 0) >= o.metadata.generation;
  return {
    ready: observed && updated >= wanted && available >= wanted,
    progress: `${available} of ${wanted} replicas available`,
    unwatched: status.observedGeneration === undefined,
  };
}

function rolloutReadiness(o: any): Readiness {
  const wanted = o.spec?.replicas ?? 1;
  const status = o.status ?? {};
  const available = status.availableReplicas ?? 0;
  return {
    ready: status.phase === 'Healthy',
    progress: `phase ${
      status.phase ?? 'not set'
    }, ${available} of ${wanted} replicas available`,
    unwatched: status.phase === undefined,
  };
}

const READINESS: Record<string, (o: any) => Readiness> = {
  'apps/v1/Deployment': deploymentReadiness,
  'argoproj.io/v1alpha1/Rollout': rolloutReadiness,
};

const readinessOf = (o: PlannedObject) =>
  READINESS[`${o.manifest.apiVersion}/${o.manifest.kind}`];

/**
 * Waits until every Deployment and Argo Rollout among the objects has its
 * replicas available. A Rollout that no controller picks up within
 * `unwatchedAfterMs` is reported and no longer waited for: a cluster without
 * Argo Rollouts would otherwise only ever time out.
 */
export async function waitForReady(options: {
  kube: KubeClient;
  objects: PlannedObject[];
  timeoutSeconds: number;
  logger: LoggerService;
  pollMs?: number;
  unwatchedAfterMs?: number;
}): Promise<void> {
  const { kube, objects, timeoutSeconds, logger } = options;
  const pollMs = options.pollMs ?? 2000;
  const unwatchedAfterMs = options.unwatchedAfterMs ?? 30_000;
  const start = Date.now();
  const deadline = start + timeoutSeconds * 1000;
  const pending = new Map(
    objects.filter(readinessOf).map(o => [o.ref, o] as const),
  );
  const last = new Map<string, string>();
  const timedOut = () => {
    const waiting = [...pending.keys()]
      .map(ref => `${ref} (${last.get(ref) ?? 'not read yet'})`)
      .join(', ');
    return new Error(
      `Timed out after ${timeoutSeconds}s waiting for ${waiting}. The objects are applied; check their pods in the Kubernetes tab.`,
    );
  };
  // No read may outlast the wait: an apiserver that stops answering ends
  // the wait at its limit, not at the limit plus a request's.
  const bounded = kube.withSignal(
    AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  );
  const read = async (o: PlannedObject) => {
    try {
      return await bounded.read(o.manifest);
    } catch (e) {
      if (Date.now() >= deadline) throw timedOut();
      throw e;
    }
  };

  while (pending.size > 0) {
    for (const [ref, o] of pending) {
      const current = await read(o);
      if (!current) {
        throw new Error(
          `${ref} is gone: it was deleted while waiting for it to be ready`,
        );
      }
      const state = readinessOf(o)(current);
      if (state.progress !== last.get(ref)) {
        logger.info(`${ref}: ${state.progress}`);
        last.set(ref, state.progress);
      }
      if (state.ready) {
        logger.info(`${ref} is ready`);
        pending.delete(ref);
      } else if (
        o.manifest.kind === 'Rollout' &&
        state.unwatched &&
        Date.now() - start > unwatchedAfterMs
      ) {
        logger.warn(
          `${ref}: no Argo Rollouts controller has picked it up in ${Math.round(
            unwatchedAfterMs / 1000,
          )}s; not waiting for it`,
        );
        pending.delete(ref);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() >= deadline) throw timedOut();
    await new Promise(r =>
      setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))),
    );
  }
}
