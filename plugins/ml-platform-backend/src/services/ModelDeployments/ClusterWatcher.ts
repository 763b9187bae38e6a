import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type { ClusterStatus } from '@mlplatform/plugin-ml-platform-common';
import {
  watchedResourceKey,
  type KubeClient,
  type ResourceWatch,
  type WatchRetryOptions,
  type WatchedObjects,
  type WatchedResource,
} from '@mlplatform/plugin-ml-platform-node';

/**
 * The watches of one cluster, one per watched resource. Every read is
 * answered from the informers' memory.
 */
export class ClusterWatcher {
  private readonly kinds: Map<
    string,
    { kind: WatchedResource; watch: ResourceWatch }
  >;
  private changes = 0;
  /** The cluster's configured name. */
  readonly name: string;

  constructor(
    client: KubeClient,
    resources: readonly WatchedResource[],
    retry: WatchRetryOptions,
    logger: LoggerService,
    /** Called after every change that bumps the generation. */
    onChange: () => void = () => {},
  ) {
    this.name = client.cluster;
    this.kinds = new Map(
      resources.map(kind => [
        watchedResourceKey(kind),
        {
          kind,
          watch: client.watch(kind, {
            labelSelector: kind.labelSelector,
            retry,
            logger,
            logPrefix: 'Model deployments',
            onChange: () => {
              this.changes += 1;
              onChange();
            },
          }),
        },
      ]),
    );
  }

  /** Counts every change of objects or status, so readers can reuse a result computed at the same count. */
  get generation(): number {
    return this.changes;
  }

  /** Resolves when every kind has listed once or failed once. */
  async start(): Promise<void> {
    await Promise.all([...this.kinds.values()].map(k => k.watch.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.kinds.values()].map(k => k.watch.stop()));
  }

  /** The watched objects, from memory. */
  objects(): WatchedObjects {
    return {
      list: <T>(resource: WatchedResource) =>
        (this.kinds.get(watchedResourceKey(resource))?.watch.objects() ??
          []) as T[],
    };
  }

  /**
   * The watched objects for a router, which plans a write from them: a
   * resource whose watch has not listed yet, or is failing, throws instead,
   * since its objects may be missing or arbitrarily old. Not read live then:
   * the rollout found its object through the catalog, which reads this same
   * cache, and a second way of reading in every router would only run when
   * a cluster is in trouble.
   */
  syncedObjects(): WatchedObjects {
    return {
      list: <T>(resource: WatchedResource) => {
        const watched = this.kinds.get(watchedResourceKey(resource));
        if (!watched) {
          throw new Error(
            `${kindName(resource)} are not watched in cluster '${this.name}'`,
          );
        }
        const { synced, error } = watched.watch.state();
        if (!synced || error) {
          const what = kindName(watched.kind);
          throw new ServiceUnavailableError(
            `Cluster '${this.name}' ${
              error
                ? `does not answer: the watch of its ${what} is failing (${error})`
                : `is not read yet: its ${what} are not known, their watch has not listed them`
            }; nothing was applied, try again in a moment`,
          );
        }
        return watched.watch.objects() as T[];
      },
    };
  }

  status(): ClusterStatus {
    const states = [...this.kinds.values()].map(k => ({
      kind: k.kind,
      ...k.watch.state(),
    }));
    // Kinds that fail the same way (a cluster that is down) are named in one sentence.
    const byError = new Map<string, string[]>();
    for (const s of states) {
      if (s.error) {
        byError.set(s.error, [
          ...(byError.get(s.error) ?? []),
          kindName(s.kind),
        ]);
      }
    }
    const pending = states.filter(s => !s.synced && !s.error);
    const errors = [...byError].map(
      ([error, plurals]) => `${plurals.join(', ')}: ${error}`,
    );
    if (pending.length > 0) {
      errors.push(
        `not synced yet: ${pending.map(s => kindName(s.kind)).join(', ')}`,
      );
    }
    const listed = states.every(s => s.listedAt)
      ? Math.max(...states.map(s => s.listedAt!.getTime()))
      : undefined;
    return {
      name: this.name,
      ok: errors.length === 0,
      ...(errors.length > 0 && { error: errors.join('; ') }),
      ...(listed !== undefined && { syncedAt: new Date(listed).toISOString() }),
    };
  }
}

function kindName(kind: WatchedResource): string {
  return kind.name ?? kind.plural;
}
